/**
 * The database half of a restore: one transaction on one connection of the application's knex,
 * foreign keys off for its length (see foreign-keys.ts), every restored table emptied, rows
 * inserted batch by batch (one COPY per table on PostgreSQL: insert.ts), then the keys checked
 * and the sequences raised before the commit. Anything that fails before the commit rolls
 * everything back.
 *
 * The connection is acquired from the caller's pool and its session settings are changed before
 * the transaction begins (SQLite's `foreign_keys` cannot change inside one): they are put back
 * before the connection returns to the pool, or the connection is discarded if that fails, so
 * the application never gets a connection with foreign keys off.
 *
 * On SQLite this is the application's only connection (Strapi's pool has one): every other query
 * of the app waits until the load commits or rolls back. On PostgreSQL the restored tables are
 * locked (dropping their keys takes an ACCESS EXCLUSIVE lock); tables that are not restored, like
 * the plugin's records, stay readable and writable. On MySQL rows are locked as they are deleted.
 */
import type { Knex } from 'knex';
import type { PlannedTable, RestorePlan } from './compat';
import { applyOutsideRules, checkForeignKeys, dropForeignKeys, ident, listForeignKeys, recreateForeignKeys, type ForeignKey } from './foreign-keys';
import { throwIfAborted } from './hash-stream';
import { createWriter, type TableWriter } from './insert';
import { raiseSequences } from './sequences';
import type { Dialect } from './types';

export class DatabaseLoad {
  private dropped: ForeignKey[] = [];
  private finished = false;

  private constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
    private readonly conn: unknown,
    private readonly trx: Knex.Transaction,
    private readonly outcome: Promise<unknown>,
    private readonly resetSession: () => Promise<void>,
    private readonly restored: Set<string>,
    private fks: ForeignKey[] = [],
  ) {}

  /** Opens the transaction and empties the restored tables. */
  static async begin(knex: Knex, dialect: Dialect, plan: RestorePlan, signal?: AbortSignal): Promise<DatabaseLoad> {
    throwIfAborted(signal);
    const client = knex.client as any;
    const conn = await client.acquireConnection();
    let reset: () => Promise<void> = async () => undefined;
    let load: DatabaseLoad | null = null;
    try {
      reset = await prepareSession(knex, dialect, conn);
      const trx = await knex.transaction({ connection: conn });
      // Rejects only when COMMIT itself fails; observed in commit().
      const outcome = trx.executionPromise.then(
        () => null,
        (err: unknown) => err ?? new Error('commit failed'),
      );
      load = new DatabaseLoad(knex, dialect, conn, trx, outcome, reset, new Set(plan.tables.map((t) => t.name)));
      await load.empty(plan);
      return load;
    } catch (err) {
      if (load) await load.rollback();
      else await release(client, conn, reset);
      throw err;
    }
  }

  private async empty(plan: RestorePlan): Promise<void> {
    const { trx, dialect, restored } = this;
    this.fks = await listForeignKeys(trx, dialect, plan.databaseTables);
    await applyOutsideRules(trx, dialect, this.fks, restored);
    if (dialect === 'postgres') {
      this.dropped = await dropForeignKeys(trx, this.fks, restored);
      // TRUNCATE is transactional on PostgreSQL and far faster than DELETE, but refuses a table
      // that a remaining key (from a table not restored) references: those are deleted.
      const referenced = new Set(this.fks.filter((fk) => !restored.has(fk.table)).map((fk) => fk.refTable));
      const truncated = [...restored].filter((t) => !referenced.has(t));
      if (truncated.length) await trx.raw(`truncate table ${truncated.map((t) => ident(dialect, t)).join(', ')}`);
      // One COPY loads a whole table (insert.ts): a statement_timeout set for the app's queries
      // must not cut it, as pg_restore sets it to 0 for its own.
      await trx.raw('set local statement_timeout = 0');
      for (const t of restored) if (referenced.has(t)) await trx.raw(`delete from ${ident(dialect, t)}`);
      return;
    }
    // MySQL: TRUNCATE would commit the transaction. SQLite: DELETE without WHERE is its truncate.
    for (const t of restored) await trx.raw(`delete from ${ident(dialect, t)}`);
  }

  /** A writer that inserts rows of `table` into the transaction (see insert.ts). */
  writer(table: PlannedTable, batchSize: number): TableWriter {
    return createWriter(this.dialect, table, batchSize, this.conn);
  }

  /** Checks the foreign keys, raises the sequences and commits. */
  async commit(signal?: AbortSignal): Promise<void> {
    const { trx, dialect, restored } = this;
    try {
      if (dialect === 'postgres') await recreateForeignKeys(trx, this.dropped);
      else await checkForeignKeys(trx, dialect, this.fks, restored);
      throwIfAborted(signal);
      await raiseSequences(trx, dialect, restored);
      throwIfAborted(signal); // the last moment an abort can still undo everything
    } catch (err) {
      await this.rollback();
      throw err;
    }
    this.finished = true;
    await trx.commit();
    const failed = await this.outcome;
    if (failed) {
      // PostgreSQL ends a failed COMMIT itself; SQLite may keep the transaction open.
      await this.knex
        .raw('rollback')
        .connection(this.conn)
        .catch(() => undefined);
    }
    await release(this.knex.client, this.conn, this.resetSession);
    if (failed) throw failed;
  }

  /** Rolls back (safe to call more than once) and hands the connection back as it was. */
  async rollback(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (!this.trx.isCompleted()) await this.trx.rollback().catch(() => undefined);
    await release(this.knex.client, this.conn, this.resetSession);
  }
}

/** Turns foreign keys off for this connection; returns how to put the settings back. */
async function prepareSession(knex: Knex, dialect: Dialect, conn: unknown): Promise<() => Promise<void>> {
  const on = (sql: string, bindings: Knex.RawBinding[] = []) => knex.raw(sql, bindings).connection(conn);
  if (dialect === 'sqlite') {
    const [row] = await on('pragma foreign_keys');
    const previous = Number(row?.foreign_keys ?? 0) ? 'on' : 'off';
    await on('pragma foreign_keys = off');
    return async () => void (await on(`pragma foreign_keys = ${previous}`));
  }
  if (dialect === 'mysql') {
    const [[row]] = await on('select @@session.foreign_key_checks as fk, @@session.sql_mode as mode');
    const mode = String(row.mode ?? '');
    await on('set session foreign_key_checks = 0');
    // An archived id 0 must stay 0, not take the next AUTO_INCREMENT value.
    const modes = mode.split(',').filter(Boolean);
    if (!modes.includes('NO_AUTO_VALUE_ON_ZERO')) await on('set session sql_mode = ?', [[...modes, 'NO_AUTO_VALUE_ON_ZERO'].join(',')]);
    return async () => {
      await on('set session sql_mode = ?', [mode]);
      await on(`set session foreign_key_checks = ${Number(row.fk) ? 1 : 0}`);
    };
  }
  return async () => undefined;
}

async function release(client: any, conn: any, reset: () => Promise<void>): Promise<void> {
  try {
    await reset();
  } catch (err) {
    // Never hand the pool a connection with foreign keys off: knex discards a disposed one.
    conn.__knex__disposed = err;
  }
  await client.releaseConnection(conn);
}
