/**
 * MySQL/MariaDB: the restored tables are loaded into new tables and swapped in with one RENAME
 * TABLE, instead of emptied and reloaded in place. Deleting every row and inserting it again in
 * one transaction leaves InnoDB every old row and index entry to step over until the commit:
 * on the bench's size 5 (360 MB of tables) the database half took 13.6-14.3 s that way and
 * 9.5 s into new tables (bench/mysql-swap-probe.js of commit 978ab7f, alternating runs).
 *
 * The steps (db-load.ts drives them on its one connection, foreign key checks off):
 * 1. `lockForLoad` (before any MySQL load, in place too): takes the swap lock (a named lock of
 *    this connection: the server lets it go if the process dies), finishes whatever an earlier swap
 *    left. `createNewTables`: `t__bk_new` LIKE `t` for every restored table (columns, indexes,
 *    options; not the foreign keys, not the AUTO_INCREMENT counter).
 * 2. The rows go into the new tables in one transaction; nothing else reads them. The keys are
 *    checked on them (foreign-keys.ts) and the transaction commits.
 * 3. `swapIn`: each new table's AUTO_INCREMENT raised to the old table's counter (never lowered,
 *    as sequences.ts); the keys of the restored tables added to the new ones under a second name
 *    (`k__bk_fk`: a key's name is unique in a database, and the old tables hold the first),
 *    referencing the new tables; then one `RENAME TABLE t TO t__bk_old, t__bk_new TO t, …`:
 *    atomic, the restore's commit point. Before it, a failure drops the new tables (and their
 *    keys) and nothing changed.
 * 4. `finishSwap`, from information_schema alone, each statement atomic and every step safe to run
 *    again: the keys of other tables, which followed the renamed tables to `t__bk_old`, get their
 *    references cleared when ON DELETE SET NULL (their rows are gone, as when a table is emptied)
 *    and are re-pointed (second name added, first dropped); the old tables are dropped (with the
 *    first names); every key under its second name takes its first back (one ALTER: drop, add).
 *    `finishInterruptedSwap` runs it after a process died past the RENAME: at boot before Strapi's
 *    schema sync (which would otherwise add the keys the restored tables lack, under names the old
 *    tables hold, and fail) and after a lost restore.
 *
 * Not used (db-load.ts empties and reloads instead) when a restored table has triggers, which
 * would stay on the old table, or a table or key name would pass 64 characters with its suffix.
 * Needs the CREATE, DROP and ALTER privileges Strapi's own schema sync needs, and disk for both
 * copies until the old ones are dropped.
 */
import type { Knex } from 'knex';
import type { RestorePlan } from './compat';
import { MYSQL_MAX_IDENTIFIER, SWAP_KEY_SUFFIX, SWAP_LOCK_WAIT_SECONDS, SWAP_NEW_SUFFIX, SWAP_OLD_SUFFIX, swapTablesAmong, withoutSuffix } from './constants';
import { RestoreFailedError } from './errors';
import { clearReferences, ident, listForeignKeys, type ForeignKey } from './foreign-keys';
import { selectRows } from './introspect';
import { openLoadSession, type LoadSession } from './load-session';
import { driverMessage } from './table-load';

const q = (name: string) => ident('mysql', name);
const isNew = (name: string) => withoutSuffix(name, SWAP_NEW_SUFFIX) !== null;
const isOld = (name: string) => withoutSuffix(name, SWAP_OLD_SUFFIX) !== null;
const isSecond = (name: string) => withoutSuffix(name, SWAP_KEY_SUFFIX) !== null;
export const newTable = (table: string) => `${table}${SWAP_NEW_SUFFIX}`;
const oldTable = (table: string) => `${table}${SWAP_OLD_SUFFIX}`;
const secondName = (key: string) => `${key}${SWAP_KEY_SUFFIX}`;
/** What a table name ending in the old suffix stands for. */
const live = (table: string) => withoutSuffix(table, SWAP_OLD_SUFFIX) ?? table;

/** One lock per database (names are per server; md5 keeps a 64-character database name short enough). */
const LOCK = "concat('strapi-plugin-backup swap ', md5(database()))";

/** Whether this restore can load into new tables and swap them in. */
export async function swapApplies(db: Knex, plan: RestorePlan): Promise<boolean> {
  const names = plan.tables.map((t) => t.name);
  const fits = (name: string, suffix: string) => name.length + suffix.length <= MYSQL_MAX_IDENTIFIER;
  if (!names.length || !names.every((n) => fits(n, SWAP_NEW_SUFFIX))) return false;
  const restored = new Set(names);
  const keys = (await listForeignKeys(db, 'mysql', [])).filter((fk) => restored.has(fk.table) || restored.has(fk.refTable));
  if (!keys.every((fk) => fits(fk.name, SWAP_KEY_SUFFIX))) return false;
  // A key named by the server (`t_ibfk_1`) is renamed with its table; MySQL 8 refuses a RENAME
  // whose new key name passes 64 characters.
  if (keys.some((fk) => restored.has(fk.table) && fk.name.startsWith(`${fk.table}_ibfk_`) && !fits(fk.name, SWAP_OLD_SUFFIX))) return false;
  const [row] = await selectRows(
    db,
    'mysql',
    `select count(*) as n from information_schema.triggers where trigger_schema = database() and event_object_table in (${names.map(() => '?').join(', ')})`,
    names,
  );
  return Number(row.n) === 0;
}

/**
 * Before any MySQL load, swapped or in place: takes the lock (held until the load's connection goes
 * back; one restore runs at a time on a site), finishes an earlier swap, drops what one left.
 */
export async function lockForLoad(session: LoadSession): Promise<void> {
  if (!(await takeLock(session, SWAP_LOCK_WAIT_SECONDS))) {
    throw new RestoreFailedError('another restore of this database is loading or swapping its tables; nothing was changed');
  }
  await finishSwap(session.db);
  await dropLeftovers(session.db);
}

/** Creates the new tables, empty (dropped again if that fails). */
export async function createNewTables(db: Knex, tables: string[]): Promise<void> {
  try {
    for (const t of tables) await db.raw(`create table ${q(newTable(t))} like ${q(t)}`);
  } catch (err) {
    await dropNewTables(db, tables).catch(() => undefined);
    throw err;
  }
}

/** Drops the new tables and their keys (a failed or aborted restore). */
export async function dropNewTables(db: Knex, tables: string[]): Promise<void> {
  for (const t of tables) await db.raw(`drop table if exists ${q(newTable(t))}`);
}

/**
 * Puts the loaded tables in place (the commit point) and finishes. `fks` are the database's keys
 * as they were before the load. A failure before the RENAME drops the new tables and changes
 * nothing; after it, the database is restored and `finishInterruptedSwap` finishes what is left.
 */
export async function swapIn(db: Knex, tables: string[], fks: ForeignKey[], signal?: AbortSignal): Promise<void> {
  const restored = new Set(tables);
  try {
    await raiseCounters(db, tables);
    const target = (t: string) => (restored.has(t) ? newTable(t) : t);
    const keys = fks
      .filter((fk) => restored.has(fk.table))
      .map((fk) => ({ ...fk, name: secondName(fk.name), table: newTable(fk.table), refTable: target(fk.refTable) }));
    await alterEach(db, keys, addKey);
    signal?.throwIfAborted(); // the last moment an abort can still undo everything
    await db.raw(`rename table ${tables.map((t) => `${q(t)} to ${q(oldTable(t))}, ${q(newTable(t))} to ${q(t)}`).join(', ')}`);
  } catch (err) {
    const done = await swapped(db, tables);
    if (done === null) throw restoredButUnfinished(err, 'the connection was lost during the swap: the database may have been restored');
    if (!done) {
      await dropNewTables(db, tables);
      if ((err as Error).name === 'AbortError') throw err;
      const why =
        (err as { errno?: number }).errno === 1205 ? `a transaction of another client held them for more than ${SWAP_LOCK_WAIT_SECONDS} s` : driverMessage(err);
      throw new RestoreFailedError(`the restored tables could not be swapped in (${why}); nothing was changed`, { cause: err });
    }
  }
  try {
    await finishSwap(db);
  } catch (err) {
    throw restoredButUnfinished(err, 'The database was restored, but its foreign keys could not all be put back on the restored tables');
  }
}

/** After the RENAME (or when it cannot be told): the next start, restore or failsafe finishes it. */
function restoredButUnfinished(err: unknown, what: string): RestoreFailedError {
  const failure = new RestoreFailedError(
    `${what} (${driverMessage(err)}); the next start of the site, or the next restore, finishes it. The files are as they were before the restore`,
    { cause: err },
  );
  failure.databaseRestored = true;
  return failure;
}

/** Whether the RENAME happened (its reply can be lost with the connection); null: cannot tell. */
async function swapped(db: Knex, tables: string[]): Promise<boolean | null> {
  try {
    return (await baseTables(db)).includes(oldTable(tables[0]));
  } catch {
    return null;
  }
}

/** Each new table's AUTO_INCREMENT at least the old one's (CREATE TABLE LIKE starts it at 1). */
async function raiseCounters(db: Knex, tables: string[]): Promise<void> {
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
 * Ends every swap past its RENAME (see the top of this file, step 4); a no-op when there is none.
 * Returns the tables whose keys it changed.
 */
export async function finishSwap(db: Knex): Promise<string[]> {
  const olds = [...swapTablesAmong(await baseTables(db))].filter(isOld);
  const all = await listForeignKeys(db, 'mysql', []);
  const has = (table: string, name: string) => all.some((fk) => fk.table === table && fk.name === name);
  // Keys of other tables that followed a renamed table (the old tables' own keys go with them).
  const followed = all.filter((fk) => !isOld(fk.table) && olds.includes(fk.refTable));
  // Cleared just before the twin is added: once it exists, references are the app's new ones.
  const pending = followed.filter((fk) => !has(fk.table, secondName(fk.name)));
  for (const fk of pending) if (fk.onDelete === 'SET NULL') await clearReferences(db, 'mysql', fk);
  const seconds = pending.map((fk) => ({ ...fk, name: secondName(fk.name), refTable: live(fk.refTable) }));
  await alterEach(db, seconds, addKey);
  await alterEach(db, followed, (fk) => `drop foreign key ${q(fk.name)}`);
  for (const t of olds) await db.raw(`drop table ${q(t)}`);
  // Every key under its second name, on a table in place: the first name is free now.
  const named = all.filter((fk) => isSecond(fk.name) && !isNew(fk.table) && !isOld(fk.table) && !isNew(fk.refTable));
  const firsts = [...named, ...seconds].map((fk) => ({ ...fk, name: withoutSuffix(fk.name, SWAP_KEY_SUFFIX)! }));
  await alterEach(db, firsts, (fk) => `drop foreign key ${q(secondName(fk.name))}, ${addKey(fk)}`);
  return [...new Set([...olds.map(live), ...firsts.map((fk) => fk.table)])].sort();
}

/**
 * After a process died mid-restore: finishes a swap past its RENAME and drops new tables it left.
 * Does nothing while a restore of this database loads or swaps (it holds the lock).
 */
export async function finishInterruptedSwap(knex: Knex): Promise<{ finished: string[]; dropped: string[] }> {
  const session = await openLoadSession(knex, 'mysql');
  try {
    if (!(await takeLock(session, 0))) return { finished: [], dropped: [] };
    return { finished: await finishSwap(session.db), dropped: await dropLeftovers(session.db) };
  } finally {
    await session.release();
  }
}

/** The swap's lock, and its statements' wait for other clients' locks (put back on release). */
async function takeLock(session: LoadSession, seconds: number): Promise<boolean> {
  const { db } = session;
  const [{ got }] = await selectRows(db, 'mysql', `select get_lock(${LOCK}, ${seconds}) as got`);
  if (Number(got) !== 1) return false;
  session.onRelease(() => db.raw(`select release_lock(${LOCK})`));
  const [{ wait }] = await selectRows(db, 'mysql', 'select @@session.lock_wait_timeout as wait');
  await db.raw(`set session lock_wait_timeout = ${SWAP_LOCK_WAIT_SECONDS}`);
  session.onRelease(() => db.raw(`set session lock_wait_timeout = ${Number(wait)}`));
  // MySQL 8 caches information_schema's AUTO_INCREMENT values; MariaDB has no such setting.
  const expiry = await selectRows(db, 'mysql', 'select @@session.information_schema_stats_expiry as e').catch(() => null);
  if (expiry) {
    await db.raw('set session information_schema_stats_expiry = 0');
    session.onRelease(() => db.raw(`set session information_schema_stats_expiry = ${Number(expiry[0].e)}`));
  }
  return true;
}

/** New tables a stopped load left (only those beside the table they stand for). */
async function dropLeftovers(db: Knex): Promise<string[]> {
  const leftovers = [...swapTablesAmong(await baseTables(db))].filter(isNew);
  for (const t of leftovers) await db.raw(`drop table ${q(t)}`);
  return leftovers;
}

async function baseTables(db: Knex): Promise<string[]> {
  const rows = await selectRows(
    db,
    'mysql',
    "select table_name as t from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'",
  );
  return rows.map((r) => String(r.t));
}

/** One ALTER TABLE per table, its clauses joined. */
async function alterEach(db: Knex, fks: ForeignKey[], clause: (fk: ForeignKey) => string): Promise<void> {
  const byTable = new Map<string, string[]>();
  for (const fk of fks) byTable.set(fk.table, [...(byTable.get(fk.table) ?? []), clause(fk)]);
  for (const [table, clauses] of byTable) await db.raw(`alter table ${q(table)} ${clauses.join(', ')}`);
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
