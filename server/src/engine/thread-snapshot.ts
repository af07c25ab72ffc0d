/**
 * Connections of their own on the backup's snapshot, for the dump's worker thread (dump-thread.ts).
 * `threadSource` runs on the main thread, inside the backup's snapshot, and says how a thread can
 * read the same rows (plain data: it is cloned into the thread); `openThreadSnapshot` runs in the
 * thread and opens it.
 *
 * - SQLite: the snapshot copy's file, which no one writes while the backup runs.
 * - MySQL/MariaDB cannot share a snapshot between connections: the thread's REPEATABLE READ
 *   transaction takes its own at its first read, and every row of the dump comes from it. (The
 *   tables' list and columns come from the backup's, a moment earlier; a table changed in between
 *   fails the dump, as DDL during any MySQL backup does.)
 * - PostgreSQL needs no thread: its server writes the rows' JSON (pg-copy.ts), and the backup's
 *   own transaction reads them.
 *
 * The session's time zone is copied from the backup's connection, so the entries are the same
 * bytes whichever thread wrote them.
 */
import type { Knex } from 'knex';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- knex's CommonJS entry is the factory itself
const createKnex: typeof import('knex').knex = require('knex');

export type ThreadSource =
  | { dialect: 'sqlite'; file: string }
  | {
      dialect: 'mysql';
      /** The app's knex connection settings. */
      connection: object;
      /** The backup connection's session time zone: it shapes the text of dates. */
      timeZone: string;
    };

/** A knex of its own on a SQLite file nobody writes (the snapshot copy), read only. */
export function openReadOnlySqlite(file: string): Knex {
  return createKnex({
    client: 'better-sqlite3',
    // knex hands better-sqlite3 only `options.readonly` (a missing file then fails to open).
    connection: { filename: file, options: { readonly: true } },
    useNullAsDefault: true,
    pool: { min: 1, max: 1 },
  });
}

/**
 * How a thread reads the snapshot of `trx` (MySQL), or null where a thread could not open a
 * connection like the app's: connection settings given as a function, or holding functions (an
 * `ssl.checkServerIdentity`), cannot be handed to a thread. Runs first in `trx`.
 */
export async function threadSource(knex: Knex, trx: Knex.Transaction): Promise<ThreadSource | null> {
  const configured: unknown = knex.client.config.connection;
  if (!configured || typeof configured !== 'object') return null;
  // Strapi gives MySQL connections a typeCast function (booleans, decimals as numbers, dates as
  // text). The dump reads decimals and dates cast to text in SQL and takes a boolean as 0/1 or
  // true/false alike, so the thread reads the same values without it. (Save one: a TINYINT(1)
  // holding neither 0 nor 1, which Strapi never writes, reads true here, as MySQL means it, where
  // Strapi's typeCast reads false.)
  const connection = Object.fromEntries(Object.entries(configured).filter(([key, value]) => !(key === 'typeCast' && typeof value === 'function')));
  try {
    structuredClone(connection);
  } catch {
    return null;
  }
  const [rows] = await trx.raw('select @@session.time_zone as time_zone');
  return { dialect: 'mysql', connection, timeZone: String(rows[0].time_zone) };
}

/** The thread's side: one connection like the app's, on the snapshot `source` describes. */
export async function openThreadSnapshot(source: ThreadSource): Promise<{ db: Knex | Knex.Transaction; close: () => Promise<void> }> {
  if (source.dialect === 'sqlite') {
    const db = openReadOnlySqlite(source.file); // a missing file fails at the first query
    return { db, close: () => db.destroy() };
  }
  const knex = createKnex({ client: 'mysql2', connection: source.connection as Knex.ConnectionConfig, pool: { min: 1, max: 1 } });
  let trx: Knex.Transaction | null = null;
  // The pool's destroy() waits for its connection to be released: the transaction ends first, or
  // it would wait forever.
  const close = async () => {
    await trx?.rollback().catch(() => undefined);
    await knex.destroy();
  };
  try {
    // A transaction holds one connection: every read of the dump goes through it.
    // (MariaDB rejects knex's `… REPEATABLE READ READ ONLY`.)
    trx = await knex.transaction({ isolationLevel: 'repeatable read' } as Knex.TransactionConfig);
    // Before the first read, which takes the snapshot.
    await trx.raw('SET time_zone = ?', [source.timeZone]);
    return { db: trx, close };
  } catch (error) {
    await close();
    throw error;
  }
}
