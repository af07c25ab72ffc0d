/**
 * The load's writers, one per table.
 *
 * - SQLite and MySQL/MariaDB: batched `INSERT … VALUES (?, …), (?, …)` with the values decoded by
 *   decode.ts; rows per statement stay under the driver's bound-parameter limit. Every batch is
 *   also bounded in bytes (MAX_BATCH_BYTES): a MySQL statement with its values must fit
 *   max_allowed_packet (16 MB by default on MariaDB), and it bounds memory.
 * - PostgreSQL: one `COPY … FROM STDIN` per table (copyWriter). Before (2026-12-06), each batch
 *   went to the server as one JSON array through `json_to_recordset`: the server parsed the JSON,
 *   then each value; a probe loading the bench site's 20,000 articles took 1.6-1.8 s that way and
 *   1.2-1.4 s through COPY, and each batch was one string of up to 4 MB that lived until its
 *   statement returned (the restore's RSS at the bench's size 5 grew by 216-316 MB of such garbage).
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PlannedTable } from './compat';
import { ident } from './foreign-keys';
import { copyIn, copyRows, type CopyInConnection } from './pg-copy';
import type { Dialect } from './types';

/** Bound parameters per statement, under each driver's limit (SQLite 32766, mysql2 65535). */
const MAX_PARAMS: Record<ValuesDialect, number> = { sqlite: 30000, mysql: 60000 };
type ValuesDialect = Exclude<Dialect, 'postgres'>;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface TableWriter {
  /** Rows per batch for this table (per INSERT on SQLite and MySQL). */
  maxRows: number;
  /** Inserts rows of values in column order (decode.ts), or hands them on to be inserted. */
  insert(rows: unknown[][]): Promise<void>;
  /** After the last insert: resolves when every row is in (PostgreSQL's COPY ends there). */
  finish(): Promise<void>;
  /** Frees what the writer holds on the connection (MySQL's prepared statements, an unfinished COPY). */
  close(): void;
}

/**
 * `conn` is the transaction's own driver connection: on SQLite the statements are prepared on it
 * once and run directly (better-sqlite3 is synchronous; knex would prepare every batch again:
 * 500,000 rows insert in 0.6 s instead of 1.3 s).
 */
export function createWriter(dialect: Dialect, table: PlannedTable, batchSize: number, conn: unknown): TableWriter {
  if (dialect === 'postgres') return copyWriter(table, batchSize, conn as CopyInConnection);
  if (dialect === 'sqlite') return valuesWriter(dialect, table, batchSize, sqliteRunner(conn as SqliteConnection));
  return valuesWriter(dialect, table, batchSize, mysqlRunner(conn as MysqlConnection));
}

/**
 * Runs the INSERTs of one table on the transaction's own connection. valuesWriter keeps the few
 * statements in use (full batches and a few short ones) and calls `forget` for each it drops, so
 * the runner's own prepared statements follow that one cache.
 */
interface Runner {
  run(sql: string, bindings: unknown[]): Promise<void>;
  forget(sql: string): void;
}

interface MysqlConnection {
  execute(sql: string, values: unknown[], done: (err: Error | null) => void): void;
  unprepare(sql: string): void;
}

/**
 * MySQL/MariaDB: prepared statements (mysql2's execute: the binary protocol). Through knex, mysql2
 * inlined every value into the statement's text: a 4 MB batch became a 4+ MB string built from
 * escaped pieces, then a Buffer, per statement, and the restore's RSS followed the site's size
 * (+71 MB at the bench's size 1, +327 MB at size 5; flat when a collection was forced every
 * second: garbage, not memory held). The binary protocol writes the values into one Buffer, with
 * integers typed by the statement's own parameter types, and the server parses no literals.
 */
function mysqlRunner(conn: MysqlConnection): Runner {
  return {
    run: (sql, bindings) => new Promise<void>((resolve, reject) => conn.execute(sql, bindings, (err) => (err ? reject(err) : resolve()))),
    forget: (sql) => {
      try {
        conn.unprepare(sql);
      } catch {
        // A connection already broken holds no statement any more.
      }
    },
  };
}

interface SqliteConnection {
  prepare(sql: string): { run(bindings: unknown[]): unknown };
}

function sqliteRunner(conn: SqliteConnection): Runner {
  const prepared = new Map<string, { run(bindings: unknown[]): unknown }>();
  return {
    run: async (sql, bindings) => {
      let statement = prepared.get(sql);
      if (!statement) {
        statement = conn.prepare(sql);
        prepared.set(sql, statement);
      }
      // What knex would have done: better-sqlite3 binds no booleans.
      for (let i = 0; i < bindings.length; i += 1) if (typeof bindings[i] === 'boolean') bindings[i] = bindings[i] ? 1 : 0;
      statement.run(bindings);
    },
    forget: (sql) => void prepared.delete(sql),
  };
}

function valuesWriter(dialect: ValuesDialect, table: PlannedTable, batchSize: number, runner: Runner): TableWriter {
  const cols = table.columns.length;
  const maxRows = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMS[dialect] / cols)));
  const head = `insert into ${ident(dialect, table.name)} (${table.columns.map((c) => ident(dialect, c.name)).join(', ')}) values `;
  const tuple = `(${new Array(cols).fill('?').join(', ')})`;
  const statements = new Map<number, string>();
  const forgetAll = () => {
    for (const sql of statements.values()) runner.forget(sql);
    statements.clear();
  };
  const statement = (n: number) => {
    let sql = statements.get(n);
    if (!sql) {
      sql = head + new Array(n).fill(tuple).join(', ');
      if (statements.size > 4) forgetAll(); // full batches and a few short ones
      statements.set(n, sql);
    }
    return sql;
  };
  return {
    maxRows,
    insert: async (rows) => {
      if (rows.length === 0) return;
      const bindings = new Array<unknown>(rows.length * cols);
      let i = 0;
      for (const row of rows) for (let j = 0; j < cols; j += 1) bindings[i++] = row[j];
      await runner.run(statement(rows.length), bindings);
    },
    finish: async () => undefined,
    close: forgetAll,
  };
}

/**
 * PostgreSQL: one `COPY … FROM STDIN` per table, as pg_restore loads a table. Each batch of decoded
 * rows is written to it in COPY's text format (pg-copy.ts: copyRows) while the next is cut; the
 * server parses every field with the column type's input function, as for a literal. A failure
 * the server reports (a constraint, a value) arrives while later rows are on their way: it fails
 * the next insert or `finish`, and says which row (`row`, from the error's COPY line).
 */
function copyWriter(table: PlannedTable, batchSize: number, conn: CopyInConnection): TableWriter {
  const stream = copyIn(
    conn,
    table.name,
    table.columns.map((c) => c.name),
  );
  // Settles once: the COPY ended, or its first error (copyIn destroys the stream on it, so every
  // later write returns false and meets this rejection).
  const done = finished(stream).then(
    () => undefined,
    (err: Error & { where?: string; row?: number }) => {
      const line = /\bline (\d+)/.exec(err.where ?? '');
      if (line) err.row = Number(line[1]);
      throw err;
    },
  );
  done.catch(() => undefined); // observed by insert and finish
  return {
    maxRows: Math.max(1, batchSize),
    insert: async (rows) => {
      if (rows.length === 0) return;
      if (!stream.write(copyRows(rows))) await Promise.race([once(stream, 'drain'), done]);
    },
    finish: async () => {
      stream.end();
      await done;
    },
    // Not finished: a CopyFail ends the COPY, and pg runs the ROLLBACK that follows after it.
    close: () => void (stream.writableFinished || stream.destroy()),
  };
}
