/**
 * One consistent, read-only view of the whole database for the length of a backup.
 *
 * - PostgreSQL / MySQL / MariaDB: one REPEATABLE READ, READ ONLY transaction on one pooled
 *   connection. Every table is read through it, so all tables come from the same instant, and
 *   writers are never blocked (MVCC). It is always ended (rolled back: nothing was written) when
 *   the work ends, also on error or abort.
 * - SQLite: Strapi's pool holds ONE connection; a read transaction held on it for the backup's
 *   length would stall every query of the app. Instead a second connection copies the file with
 *   SQLite's online backup API, in a worker thread (sqlite-copy.ts: how it keeps the site's
 *   writes from failing), and the copy is read through a knex of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { copySqlite } from './sqlite-copy';
import type { Dialect } from './types';

export type SnapshotDb = Knex | Knex.Transaction;

/**
 * Runs `work` with a connection that sees one consistent snapshot, then releases everything. On
 * SQLite `work` also gets the snapshot copy's file, which no one writes while `work` runs.
 */
export async function withSnapshot<T>(knex: Knex, dialect: Dialect, tmpDir: string, work: (db: SnapshotDb, copyFile?: string) => Promise<T>): Promise<T> {
  if (dialect === 'sqlite') return withSqliteCopy(knex, tmpDir, work);
  return withRepeatableRead(knex, dialect, work);
}

async function withRepeatableRead<T>(knex: Knex, dialect: Dialect, work: (db: SnapshotDb) => Promise<T>): Promise<T> {
  // knex issues `BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY` on PostgreSQL, and
  // `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; BEGIN` on MySQL (the SET must come before
  // the transaction starts there).
  // MariaDB rejects knex's `… REPEATABLE READ READ ONLY` (it wants a comma): READ ONLY is only
  // a safeguard (we never write), so it is asked for on PostgreSQL alone.
  const config = { isolationLevel: 'repeatable read', readOnly: dialect === 'postgres' } as Knex.TransactionConfig;
  const trx = await knex.transaction(config);
  try {
    return await work(trx);
  } finally {
    // Read only: rolling back and committing are the same; rollback never fails on "nothing to do".
    if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
  }
}

/**
 * Pins the MySQL snapshot now (InnoDB creates the read view at the first consistent read, not at
 * BEGIN; this gives `START TRANSACTION WITH CONSISTENT SNAPSHOT` semantics). Harmless elsewhere.
 */
export async function pinSnapshot(db: SnapshotDb, dialect: Dialect, firstTable: string | undefined): Promise<void> {
  if (dialect !== 'mysql' || !firstTable) return;
  await db.select(db.raw('1 as x')).from(firstTable).limit(1);
}

/** A knex of its own on a SQLite file nobody writes (the snapshot copy), read only. */
export function openReadOnlySqlite(file: string): Knex {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- knex's CommonJS entry is the factory itself
  const createKnex: typeof import('knex').knex = require('knex');
  return createKnex({
    client: 'better-sqlite3',
    // knex hands better-sqlite3 only `options.readonly` (a missing file then fails to open).
    connection: { filename: file, options: { readonly: true } },
    useNullAsDefault: true,
    pool: { min: 1, max: 1 },
  });
}

async function withSqliteCopy<T>(knex: Knex, tmpDir: string, work: (db: SnapshotDb, copyFile: string) => Promise<T>): Promise<T> {
  const copyPath = path.join(tmpDir, 'snapshot.sqlite');
  await copySqlite(knex, copyPath);
  const copy = openReadOnlySqlite(copyPath);
  try {
    return await work(copy, copyPath);
  } finally {
    await copy.destroy().catch(() => undefined);
    await fs.promises.rm(copyPath, { force: true });
    await fs.promises.rm(`${copyPath}-journal`, { force: true });
  }
}
