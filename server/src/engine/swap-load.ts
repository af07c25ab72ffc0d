/**
 * MySQL/MariaDB: the restored tables are loaded into new tables and swapped in with one RENAME
 * TABLE, instead of emptied and reloaded in place. Deleting every row and inserting it again in
 * one transaction leaves InnoDB every old row and index entry to step over until the commit:
 * on the bench's size 5 (360 MB of tables) the database half took 13.6-14.3 s that way and
 * 9.5 s into new tables (bench/mysql-swap-probe.js of commit 978ab7f, alternating runs).
 *
 * The steps (db-load.ts drives them on its one connection, foreign key checks off):
 * 1. `beginSwap`: takes the swap lock (a named lock of this connection: the server lets it go if
 *    the process dies), finishes whatever an earlier swap left, and creates `t__bk_new` LIKE `t`
 *    for every restored table (columns, indexes, options; not the foreign keys, not the
 *    AUTO_INCREMENT counter).
 * 2. The rows go into the new tables in one transaction; nothing else reads them. The keys are
 *    checked on them (foreign-keys.ts) and the transaction commits.
 * 3. `swapIn`: each new table's AUTO_INCREMENT raised to the old table's counter (never lowered,
 *    as sequences.ts), then one `RENAME TABLE t TO t__bk_old, t__bk_new TO t, …`: atomic, the
 *    restore's commit point. Before it, a failure drops the new tables and nothing changed.
 * 4. `finishSwap`: every key of a `t__bk_old` moves to `t` (references to other replaced tables
 *    mapped back: InnoDB made them follow the rename); keys of other tables that followed a
 *    renamed table are re-pointed to the new one, their references cleared first when ON DELETE
 *    SET NULL (the rows they referenced are gone, as when the table is emptied); the old tables
 *    are dropped. It reads all it needs from information_schema, so `finishInterruptedSwap` ends a
 *    swap whose process died after the RENAME: before Strapi's schema sync at boot (which would
 *    otherwise try to add the keys the new tables lack) and after a lost restore.
 *
 * Not used (db-load.ts empties and reloads instead) when a restored table has triggers, which
 * would stay on the old table, or a name would pass 64 characters with the suffix.
 * Needs the CREATE, DROP and ALTER privileges Strapi's own schema sync needs, and disk for both
 * copies until the old ones are dropped.
 */
import type { Knex } from 'knex';
import type { RestorePlan } from './compat';
import { MYSQL_MAX_IDENTIFIER, SWAP_LOCK_WAIT_SECONDS, SWAP_NEW_SUFFIX, SWAP_OLD_SUFFIX } from './constants';
import { RestoreFailedError } from './errors';
import { clearReferences, ident, listForeignKeys, type ForeignKey } from './foreign-keys';
import { selectRows } from './introspect';
import { openLoadSession, type LoadSession } from './load-session';

const q = (name: string) => ident('mysql', name);
export const newTable = (table: string) => `${table}${SWAP_NEW_SUFFIX}`;
const oldTable = (table: string) => `${table}${SWAP_OLD_SUFFIX}`;

/** One lock per database (names are per server; md5 keeps a 64-character database name short enough). */
const LOCK = "concat('strapi-plugin-backup swap ', md5(database()))";

/** Whether this restore can load into new tables and swap them in. */
export async function swapApplies(db: Knex, plan: RestorePlan): Promise<boolean> {
  const names = plan.tables.map((t) => t.name);
  if (!names.length || names.some((n) => n.length + SWAP_NEW_SUFFIX.length > MYSQL_MAX_IDENTIFIER)) return false;
  const [row] = await selectRows(
    db,
    'mysql',
    `select count(*) as n from information_schema.triggers where trigger_schema = database() and event_object_table in (${names.map(() => '?').join(', ')})`,
    names,
  );
  return Number(row.n) === 0;
}

/** Takes the lock, finishes an earlier swap, creates the new tables (empty). */
export async function beginSwap(session: LoadSession, tables: string[]): Promise<void> {
  const { db } = session;
  // Another restore of this database holds it only while it swaps: one restore runs at a time.
  if (!(await takeLock(db, SWAP_LOCK_WAIT_SECONDS))) {
    throw new RestoreFailedError(`another restore of this database is swapping its tables in; nothing was changed`);
  }
  session.onRelease(() => db.raw(`select release_lock(${LOCK})`));
  await finishSwap(db);
  await dropLeftovers(db);
  for (const t of tables) await db.raw(`create table ${q(newTable(t))} like ${q(t)}`);
}

/** Drops the new tables (a failed or aborted restore). */
export async function dropNewTables(db: Knex, tables: string[]): Promise<void> {
  for (const t of tables) await db.raw(`drop table if exists ${q(newTable(t))}`);
}

/**
 * Puts the loaded tables in place (the commit point) and finishes. A failure before the RENAME
 * drops the new tables and changes nothing; after it, the database is restored and what is left
 * to finish is finished by `finishInterruptedSwap` (the error says so).
 */
export async function swapIn(db: Knex, tables: string[], signal?: AbortSignal): Promise<void> {
  try {
    await raiseCounters(db, tables);
    signal?.throwIfAborted(); // the last moment an abort can still undo everything
    const [{ wait }] = await selectRows(db, 'mysql', 'select @@session.lock_wait_timeout as wait');
    await db.raw(`set session lock_wait_timeout = ${SWAP_LOCK_WAIT_SECONDS}`);
    try {
      await db.raw(`rename table ${tables.map((t) => `${q(t)} to ${q(oldTable(t))}, ${q(newTable(t))} to ${q(t)}`).join(', ')}`);
    } finally {
      await db.raw(`set session lock_wait_timeout = ${Number(wait)}`);
    }
  } catch (err) {
    await dropNewTables(db, tables);
    if ((err as { errno?: number }).errno === 1205) {
      throw new RestoreFailedError(
        `the restored tables could not be swapped in: a transaction of another client held them for more than ${SWAP_LOCK_WAIT_SECONDS} s; nothing was changed`,
        { cause: err },
      );
    }
    throw err;
  }
  try {
    await finishSwap(db);
  } catch (err) {
    const failure = new RestoreFailedError(
      `The database was restored, but its foreign keys could not all be moved to the restored tables (${(err as Error).message}); ` +
        'the next start of the site, or the next restore, finishes it. The files are as they were before the restore',
      { cause: err },
    );
    failure.databaseRestored = true;
    throw failure;
  }
}

/** MySQL: each new table's AUTO_INCREMENT at least the old one's (CREATE TABLE LIKE starts it at 1). */
async function raiseCounters(db: Knex, tables: string[]): Promise<void> {
  // MySQL 8 caches information_schema.tables' counters; MariaDB has no such setting.
  await db.raw('set session information_schema_stats_expiry = 0').catch(() => undefined);
  const rows = await selectRows(
    db,
    'mysql',
    `select table_name as t, auto_increment as n from information_schema.tables
      where table_schema = database() and auto_increment is not null and table_name in (${tables.map(() => '?').join(', ')})`,
    tables,
  );
  // InnoDB takes max(n, highest id + 1): the restored ids are never handed out again either.
  for (const r of rows) await db.raw(`alter table ${q(newTable(r.t))} auto_increment = ${BigInt(r.n)}`);
}

/**
 * Ends every swap past its RENAME: keys moved onto the restored tables, keys of other tables
 * re-pointed, the old tables dropped. Idempotent; returns the tables it finished.
 */
export async function finishSwap(db: Knex): Promise<string[]> {
  const olds = new Set((await tablesEndingWith(db, SWAP_OLD_SUFFIX)).filter((t) => t.length > SWAP_OLD_SUFFIX.length));
  if (!olds.size) return [];
  const live = (t: string) => (olds.has(t) ? t.slice(0, -SWAP_OLD_SUFFIX.length) : t);
  const fks = (await listForeignKeys(db, 'mysql', [])).filter((fk) => olds.has(fk.table) || olds.has(fk.refTable));
  for (const fk of fks) if (!olds.has(fk.table) && fk.onDelete === 'SET NULL') await clearReferences(db, 'mysql', fk);
  // Dropped before they are added: a key's name is unique in the database.
  for (const [table, keys] of byTable(fks)) await db.raw(`alter table ${q(table)} ${keys.map((fk) => `drop foreign key ${q(fk.name)}`).join(', ')}`);
  for (const [table, keys] of byTable(fks.map((fk) => ({ ...fk, table: live(fk.table), refTable: live(fk.refTable) })))) {
    await db.raw(`alter table ${q(table)} ${keys.map(addKey).join(', ')}`);
  }
  for (const t of olds) await db.raw(`drop table ${q(t)}`);
  return [...olds].map(live);
}

/**
 * After a process died mid-restore: finishes a swap past its RENAME and drops new tables it left.
 * Does nothing while a restore of this database swaps (it holds the lock). Returns what it did.
 */
export async function finishInterruptedSwap(knex: Knex): Promise<{ finished: string[]; dropped: string[] }> {
  const session = await openLoadSession(knex, 'mysql');
  try {
    const { db } = session;
    if (!(await takeLock(db, 0))) return { finished: [], dropped: [] };
    session.onRelease(() => db.raw(`select release_lock(${LOCK})`));
    return { finished: await finishSwap(db), dropped: await dropLeftovers(db) };
  } finally {
    await session.release();
  }
}

async function takeLock(db: Knex, seconds: number): Promise<boolean> {
  const [{ got }] = await selectRows(db, 'mysql', `select get_lock(${LOCK}, ${seconds}) as got`);
  return Number(got) === 1;
}

async function dropLeftovers(db: Knex): Promise<string[]> {
  const leftovers = (await tablesEndingWith(db, SWAP_NEW_SUFFIX)).filter((t) => t.length > SWAP_NEW_SUFFIX.length);
  for (const t of leftovers) await db.raw(`drop table ${q(t)}`);
  return leftovers;
}

async function tablesEndingWith(db: Knex, suffix: string): Promise<string[]> {
  const rows = await selectRows(
    db,
    'mysql',
    `select table_name as t from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE' and right(table_name, ?) = ?`,
    [suffix.length, suffix],
  );
  return rows.map((r) => String(r.t));
}

function byTable(fks: ForeignKey[]): Map<string, ForeignKey[]> {
  const out = new Map<string, ForeignKey[]>();
  for (const fk of fks) out.set(fk.table, [...(out.get(fk.table) ?? []), fk]);
  return out;
}

function addKey(fk: ForeignKey): string {
  const cols = (list: string[]) => list.map(q).join(', ');
  // RESTRICT is the default, and left unsaid: MariaDB stores a RESTRICT written in an in-place
  // ALTER as NO ACTION (the same check in InnoDB, but not the definition it had).
  const rule = (on: string, r: string | undefined) => (r && r !== 'RESTRICT' ? ` on ${on} ${r}` : '');
  return (
    `add constraint ${q(fk.name)} foreign key (${cols(fk.columns)}) references ${q(fk.refTable)} (${cols(fk.refColumns)})` +
    rule('delete', fk.onDelete) +
    rule('update', fk.onUpdate)
  );
}
