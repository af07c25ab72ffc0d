/**
 * One consistent, read-only view of the whole database for the length of a backup.
 *
 * - PostgreSQL / MySQL / MariaDB: one REPEATABLE READ, READ ONLY transaction on one pooled
 *   connection, so all tables come from the same instant, and writers are never blocked (MVCC).
 *   The tables are listed and described through it; their rows are read through it (PostgreSQL),
 *   or in a worker thread through a transaction that takes a snapshot of its own (MySQL). It is
 *   always ended (rolled back: nothing was written) when the work ends, also on error or abort.
 * - SQLite: Strapi's pool holds ONE connection; a read transaction held on it for the backup's
 *   length would stall every query of the app. Instead a second connection copies the file with
 *   SQLite's online backup API, in a worker thread (sqlite-copy.ts: how it keeps the site's
 *   writes from failing), and the copy is read through a knex of its own.
 *
 * `work` also gets a ThreadSource where a worker thread can read the snapshot through a connection
 * of its own (thread-snapshot.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { copySqlite } from './sqlite-copy';
import { openReadOnlySqlite, threadSource, type ThreadSource } from './thread-snapshot';
import type { Dialect } from './types';

export type { ThreadSource };

export type SnapshotDb = Knex | Knex.Transaction;

/** Runs `work` with a connection that sees one consistent snapshot, then releases everything. */
export async function withSnapshot<T>(
  knex: Knex,
  dialect: Dialect,
  tmpDir: string,
  work: (db: SnapshotDb, thread: ThreadSource | null) => Promise<T>,
): Promise<T> {
  if (dialect === 'sqlite') return withSqliteCopy(knex, tmpDir, work);
  return withRepeatableRead(knex, dialect, work);
}

async function withRepeatableRead<T>(knex: Knex, dialect: 'postgres' | 'mysql', work: (db: SnapshotDb, thread: ThreadSource | null) => Promise<T>): Promise<T> {
  // knex issues `BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY` on PostgreSQL, and
  // `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; BEGIN` on MySQL (the SET must come before
  // the transaction starts there).
  // MariaDB rejects knex's `… REPEATABLE READ READ ONLY` (it wants a comma): READ ONLY is only
  // a safeguard (we never write), so it is asked for on PostgreSQL alone.
  const config = { isolationLevel: 'repeatable read', readOnly: dialect === 'postgres' } as Knex.TransactionConfig;
  const trx = await knex.transaction(config);
  try {
    // PostgreSQL reads each table with one COPY, one statement however long it takes (pg_dump sets
    // the same for its session); LOCAL: this transaction only.
    if (dialect === 'postgres') await trx.raw('set local statement_timeout = 0');
    // PostgreSQL's rows are read on this transaction (pg-copy.ts); MySQL's in a thread if it can.
    // A failed read of the session's settings leaves MySQL's transaction usable: the dump then runs here.
    const thread = dialect === 'mysql' ? await threadSource(knex, trx).catch(() => null) : null;
    return await work(trx, thread);
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

async function withSqliteCopy<T>(knex: Knex, tmpDir: string, work: (db: SnapshotDb, thread: ThreadSource) => Promise<T>): Promise<T> {
  const copyPath = path.join(tmpDir, 'snapshot.sqlite');
  await copySqlite(knex, copyPath);
  const copy = openReadOnlySqlite(copyPath);
  try {
    return await work(copy, { dialect: 'sqlite', file: copyPath });
  } finally {
    await copy.destroy().catch(() => undefined);
    await fs.promises.rm(copyPath, { force: true });
    await fs.promises.rm(`${copyPath}-journal`, { force: true });
  }
}
