/**
 * One consistent, read-only view of the whole database for the length of a backup.
 *
 * - PostgreSQL / MySQL / MariaDB: one REPEATABLE READ, READ ONLY transaction on one pooled
 *   connection. Every table is read through it, so all tables come from the same instant, and
 *   writers are never blocked (MVCC). It is always ended (rolled back: nothing was written) when
 *   the work ends, also on error or abort.
 * - SQLite: Strapi's pool holds ONE connection; a read transaction held on it for the backup's
 *   length would stall every query of the app. Instead a second connection copies the file with
 *   SQLite's online backup API (fast, consistent) and the copy is read through a knex of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import { PRIVATE_FILE_MODE } from './constants';
import type { Dialect } from './types';

export type SnapshotDb = Knex | Knex.Transaction;

/** Runs `work` with a connection that sees one consistent snapshot, then releases everything. */
export async function withSnapshot<T>(
  knex: Knex,
  dialect: Dialect,
  tmpDir: string,
  work: (db: SnapshotDb) => Promise<T>,
): Promise<T> {
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

async function withSqliteCopy<T>(knex: Knex, tmpDir: string, work: (db: SnapshotDb) => Promise<T>): Promise<T> {
  const copyPath = path.join(tmpDir, 'snapshot.sqlite');
  // SQLite creates a missing file readable by all (0644); made first, the copy keeps this mode.
  await fs.promises.writeFile(copyPath, '', { mode: PRIVATE_FILE_MODE });
  await copySqlite(knex, copyPath);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const createKnex: typeof import('knex').knex = require('knex');
  const copy = createKnex({
    client: 'better-sqlite3',
    connection: { filename: copyPath, readonly: true } as any,
    useNullAsDefault: true,
    pool: { min: 1, max: 1 },
  });
  try {
    return await work(copy);
  } finally {
    await copy.destroy().catch(() => undefined);
    await fs.promises.rm(copyPath, { force: true });
    await fs.promises.rm(`${copyPath}-journal`, { force: true });
  }
}

/**
 * The backup API's progress callback: copy in steps of STEP_PAGES (the read lock, which makes app
 * writers wait, is held one step at a time), but SQLite restarts a backup whose source another
 * connection wrote to between steps — after a few restarts, copy all that remains in one step so
 * a busy site cannot keep the copy from ever finishing.
 */
const STEP_PAGES = 2000;
const BACKUP_STEP_SOURCE = `(() => {
  let lastRemaining = Infinity;
  let restarts = 0;
  return ({ remainingPages }) => {
    if (remainingPages > lastRemaining) restarts += 1;
    lastRemaining = remainingPages;
    return restarts >= 3 ? Math.max(remainingPages, ${STEP_PAGES}) : ${STEP_PAGES};
  };
})()`;

/** Copies the app's SQLite database into `copyPath` with the online backup API. */
async function copySqlite(knex: Knex, copyPath: string): Promise<void> {
  const client: any = knex.client;
  const filename: string | undefined = client.config?.connection?.filename;
  if (filename && filename !== ':memory:' && !filename.startsWith('file:')) {
    const file = path.resolve(filename);
    // better-sqlite3 runs each backup step synchronously: copy in a worker thread so the app's
    // event loop stays free (a 40 MB file blocks ~0.4 s otherwise).
    const driverPath = resolveDriver();
    if (driverPath) return copyInWorker(driverPath, file, copyPath);
    // A connection of our own: the app's single connection stays free for the app.
    const source = new client.driver(file, { readonly: true, fileMustExist: true });
    try {
      source.pragma('busy_timeout = 10000');
      // Here the steps block the event loop anyway: copy all after the first step (no restarts).
      await source.backup(copyPath, { progress: ({ remainingPages }: { remainingPages: number }) => Math.max(remainingPages, 100) });
    } finally {
      source.close();
    }
    return;
  }
  // An in-memory database is only reachable through the app's connection: borrow it for the copy
  // only, then hand it back.
  const conn = await client.acquireConnection();
  try {
    await conn.backup(copyPath);
  } finally {
    await client.releaseConnection(conn);
  }
}

function resolveDriver(): string | null {
  try {
    return require.resolve('better-sqlite3', { paths: [process.cwd(), __dirname] });
  } catch {
    return null;
  }
}

function copyInWorker(driverPath: string, file: string, copyPath: string): Promise<void> {
  const code = `
    const { workerData } = require('node:worker_threads');
    const Driver = require(workerData.driverPath);
    const source = new Driver(workerData.file, { readonly: true, fileMustExist: true });
    source.pragma('busy_timeout = 10000');
    source.backup(workerData.copyPath, { progress: ${BACKUP_STEP_SOURCE} })
      .finally(() => source.close());`;
  return new Promise<void>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { driverPath, file, copyPath } });
    worker.once('error', reject);
    worker.once('exit', (exitCode) => (exitCode === 0 ? resolve() : reject(new Error(`SQLite copy failed (worker exit ${exitCode})`))));
  });
}
