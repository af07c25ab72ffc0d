/**
 * A connection of the application's pool set up for a load: foreign keys off for this connection
 * only (and, on MySQL, an archived id 0 kept as 0). The settings are put back before the
 * connection returns to the pool, or the connection is discarded if that fails, so the
 * application never gets a connection with foreign keys off.
 */
import type { Knex } from 'knex';
import type { Dialect } from './types';

/** Runs one statement on the held connection (knex's `raw` result, unchanged). */
export type Run = (sql: string, bindings?: readonly Knex.RawBinding[]) => Promise<any>;

export interface LoadSession {
  conn: unknown;
  run: Run;
  /** `run` as the `raw` of a knex, for the engine's helpers that take one (introspect.ts, foreign-keys.ts). */
  db: Knex;
  /** Puts the settings back (first `onRelease`, newest first) and returns the connection. */
  release(): Promise<void>;
  /** Something else to undo before the connection goes back (a named lock, a setting). */
  onRelease(undo: () => Promise<unknown>): void;
}

export async function openLoadSession(knex: Knex, dialect: Dialect): Promise<LoadSession> {
  const client = knex.client as any;
  const conn = await client.acquireConnection();
  const run: Run = (sql, bindings = []) => knex.raw(sql, bindings as Knex.RawBinding[]).connection(conn);
  const undo: (() => Promise<unknown>)[] = [];
  const release = async () => {
    try {
      for (const step of [...undo].reverse()) await step();
    } catch (err) {
      // Never hand the pool a connection with foreign keys off: knex discards a disposed one.
      conn.__knex__disposed = err;
    }
    await client.releaseConnection(conn);
  };
  try {
    undo.push(await prepareSession(run, dialect));
  } catch (err) {
    conn.__knex__disposed = err; // its settings may be half changed
    await release();
    throw err;
  }
  return { conn, run, db: { raw: run } as unknown as Knex, release, onRelease: (step) => void undo.push(step) };
}

/** Turns foreign keys off for this connection; returns how to put the settings back. */
async function prepareSession(run: Run, dialect: Dialect): Promise<() => Promise<void>> {
  if (dialect === 'sqlite') {
    const [row] = await run('pragma foreign_keys');
    const previous = Number(row?.foreign_keys ?? 0) ? 'on' : 'off';
    await run('pragma foreign_keys = off');
    return async () => void (await run(`pragma foreign_keys = ${previous}`));
  }
  if (dialect === 'mysql') {
    const [[row]] = await run('select @@session.foreign_key_checks as fk, @@session.sql_mode as mode');
    const mode = String(row.mode ?? '');
    await run('set session foreign_key_checks = 0');
    // An archived id 0 must stay 0, not take the next AUTO_INCREMENT value.
    const modes = mode.split(',').filter(Boolean);
    if (!modes.includes('NO_AUTO_VALUE_ON_ZERO')) await run('set session sql_mode = ?', [[...modes, 'NO_AUTO_VALUE_ON_ZERO'].join(',')]);
    return async () => {
      await run('set session sql_mode = ?', [mode]);
      await run(`set session foreign_key_checks = ${Number(row.fk) ? 1 : 0}`);
    };
  }
  return async () => undefined;
}
