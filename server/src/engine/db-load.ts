/**
 * The database half of a restore: one transaction on one connection of the application's knex,
 * foreign keys off for its length (see foreign-keys.ts), every restored table emptied, rows
 * inserted batch by batch (one COPY per table on PostgreSQL: insert.ts), then the keys checked
 * and the sequences raised before the commit. Anything that fails before the commit rolls
 * everything back.
 *
 * The connection is acquired from the caller's pool and its session settings are changed before
 * the transaction begins (SQLite's `foreign_keys` cannot change inside one; load-session.ts).
 *
 * On SQLite this is the application's only connection (Strapi's pool has one): every other query
 * of the app waits until the load commits or rolls back. On PostgreSQL the restored tables are
 * locked (dropping their keys takes an ACCESS EXCLUSIVE lock); tables that are not restored, like
 * the plugin's records, stay readable and writable. On MySQL the rows go into new tables that
 * replace the restored ones at the commit (swap-load.ts), so the site reads the old rows until
 * then; where it cannot (triggers, long names), rows are locked as they are deleted.
 */
import type { Knex } from 'knex';
import type { PlannedTable, RestorePlan } from './compat';
import {
  applyOutsideRules,
  checkForeignKeys,
  dropForeignKeys,
  ident,
  listForeignKeys,
  outsideReferences,
  recreateForeignKeys,
  type ForeignKey,
} from './foreign-keys';
import { throwIfAborted } from './hash-stream';
import { createWriter, type TableWriter } from './insert';
import { openLoadSession, type LoadSession } from './load-session';
import { raiseSequences } from './sequences';
import { createNewTables, dropNewTables, lockForLoad, newTable, swapApplies, swapIn } from './swap-load';
import type { Dialect } from './types';

export class DatabaseLoad {
  private dropped: ForeignKey[] = [];
  private finished = false;

  private constructor(
    private readonly dialect: Dialect,
    private readonly session: LoadSession,
    private readonly trx: Knex.Transaction,
    private readonly outcome: Promise<unknown>,
    private readonly restored: Set<string>,
    /** MySQL: loaded into new tables, swapped in at the commit (swap-load.ts). */
    private readonly swap: boolean,
    private fks: ForeignKey[] = [],
  ) {}

  /** Opens the transaction and empties the restored tables (or, on MySQL, creates new ones). */
  static async begin(knex: Knex, dialect: Dialect, plan: RestorePlan, signal?: AbortSignal): Promise<DatabaseLoad> {
    throwIfAborted(signal);
    const session = await openLoadSession(knex, dialect);
    const names = plan.tables.map((t) => t.name);
    let load: DatabaseLoad | null = null;
    let swap = false; // set once the new tables exist (createNewTables drops them itself when it fails)
    try {
      if (dialect === 'mysql') {
        await lockForLoad(session);
        if (await swapApplies(session.db, plan)) {
          await createNewTables(session.db, names);
          swap = true;
        }
      }
      const trx = await knex.transaction({ connection: session.conn });
      // Rejects only when COMMIT itself fails; observed in commit().
      const outcome = trx.executionPromise.then(
        () => null,
        (err: unknown) => err ?? new Error('commit failed'),
      );
      load = new DatabaseLoad(dialect, session, trx, outcome, new Set(names), swap);
      await load.empty(plan);
      return load;
    } catch (err) {
      if (load) await load.rollback();
      else {
        if (swap) await dropNewTables(session.db, names).catch(() => undefined);
        await session.release();
      }
      throw err;
    }
  }

  private async empty(plan: RestorePlan): Promise<void> {
    const { trx, dialect, restored } = this;
    this.fks = await listForeignKeys(trx, dialect, plan.databaseTables);
    if (this.swap) {
      // Nothing to empty; the references to clear are cleared as the swap finishes.
      await outsideReferences(trx, dialect, this.fks, restored);
      return;
    }
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
    return createWriter(this.dialect, this.swap ? { ...table, name: newTable(table.name) } : table, batchSize, this.session.conn);
  }

  /** Checks the foreign keys, raises the sequences and commits. */
  async commit(signal?: AbortSignal): Promise<void> {
    const { trx, dialect, restored } = this;
    try {
      if (dialect === 'postgres') await recreateForeignKeys(trx, this.dropped);
      else await checkForeignKeys(trx, dialect, this.fks, restored, this.swap ? (t) => (restored.has(t) ? newTable(t) : t) : undefined);
      throwIfAborted(signal);
      await raiseSequences(trx, dialect, restored);
      throwIfAborted(signal); // the last moment an abort can still undo everything (with a swap: its RENAME)
    } catch (err) {
      await this.rollback();
      throw err;
    }
    this.finished = true;
    await trx.commit();
    let failed = await this.outcome;
    if (failed) {
      // PostgreSQL ends a failed COMMIT itself; SQLite may keep the transaction open.
      await this.session.run('rollback').catch(() => undefined);
      if (this.swap) await dropNewTables(this.session.db, [...restored]).catch(() => undefined);
    } else if (this.swap) {
      failed = await swapIn(this.session.db, [...restored], this.fks, signal).then(
        () => null,
        (err: unknown) => err,
      );
    }
    await this.session.release();
    if (failed) throw failed;
  }

  /** Rolls back (safe to call more than once) and hands the connection back as it was. */
  async rollback(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (!this.trx.isCompleted()) await this.trx.rollback().catch(() => undefined);
    if (this.swap) await dropNewTables(this.session.db, [...this.restored]).catch(() => undefined);
    await this.session.release();
  }
}
