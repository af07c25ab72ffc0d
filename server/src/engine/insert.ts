/**
 * Batched INSERT statements for the load, one writer per table.
 *
 * - SQLite and MySQL/MariaDB: `INSERT … VALUES (?, …), (?, …)` with the values decoded by
 *   decode.ts; rows per statement stay under the driver's bound-parameter limit.
 * - PostgreSQL: the archived NDJSON lines go to the server as they are, one JSON array per batch,
 *   through `json_to_recordset` with each column declared as its own type: PostgreSQL parses every
 *   value with the type's input function, exactly as it parses an untyped literal (timestamps,
 *   numerics, bigints from their text forms; json/jsonb values of older archives reproduced).
 *   Binary (base64), `other` (PostgreSQL's text form, e.g. arrays) and json archived as text are
 *   declared text and converted in SQL. Measured
 *   on 500,000 rows: 2.3 s instead of 3.7 s for VALUES with 3,000 parameters per statement, and no
 *   JSON parsing on our side (another 0.6 s). A key missing from a line reads as NULL there (every
 *   line was hashed against the manifest; archives we write have every key).
 * Every batch is also bounded in bytes (MAX_BATCH_BYTES): a MySQL statement with its values must
 * fit max_allowed_packet (16 MB by default on MariaDB), and it bounds memory.
 */
import type { Knex } from 'knex';
import type { PlannedTable } from './compat';
import { ident } from './foreign-keys';
import type { Dialect } from './types';

/** Bound parameters per statement, under each driver's limit (pg 65535, SQLite 32766). */
const MAX_PARAMS: Record<Dialect, number> = { postgres: 60000, sqlite: 30000, mysql: 60000 };
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface TableWriter {
  /** Rows per INSERT for this table. */
  maxRows: number;
  /** True: give `insert` the archived lines as they are; false: values decoded in column order. */
  lines: boolean;
  insert(rows: unknown[][] | string[]): Promise<void>;
  /** Frees what the writer holds on the connection (MySQL's prepared statements). */
  close(): void;
}

/** knex.raw reads `?` as a placeholder: identifiers may not carry one unescaped. */
const sqlText = (s: string) => s.replace(/\?/g, '\\?');

/**
 * `conn` is the transaction's own driver connection: on SQLite the statements are prepared on it
 * once and run directly (better-sqlite3 is synchronous; knex would prepare every batch again:
 * 500,000 rows insert in 0.6 s instead of 1.3 s).
 */
export function createWriter(trx: Knex.Transaction, dialect: Dialect, table: PlannedTable, batchSize: number, conn: unknown): TableWriter {
  if (dialect === 'postgres') return jsonWriter(trx, table, batchSize);
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

function valuesWriter(dialect: Dialect, table: PlannedTable, batchSize: number, runner: Runner): TableWriter {
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
    lines: false,
    insert: async (rows) => {
      if (rows.length === 0) return;
      const bindings = new Array<unknown>(rows.length * cols);
      let i = 0;
      for (const row of rows as unknown[][]) for (let j = 0; j < cols; j += 1) bindings[i++] = row[j];
      await runner.run(statement(rows.length), bindings);
    },
    close: forgetAll,
  };
}

function jsonWriter(trx: Knex.Transaction, table: PlannedTable, batchSize: number): TableWriter {
  const id = (name: string) => ident('postgres', name);
  // The database's own type names (format_type), which compat.ts matched with the archive's kinds.
  const typeOf = new Map(table.info.columns.map((c) => [c.name, c.type]));
  const defs: string[] = [];
  const values: string[] = [];
  for (const c of table.columns) {
    const type = typeOf.get(c.name) ?? c.type;
    const field = `r.${id(c.name)}`;
    if (c.kind === 'binary') {
      defs.push(`${id(c.name)} text`);
      values.push(`decode(${field}, 'base64')`);
    } else if (c.kind === 'other' || c.encoding === 'text') {
      defs.push(`${id(c.name)} text`);
      values.push(`${field}::${type}`);
    } else {
      defs.push(`${id(c.name)} ${type}`);
      values.push(field);
    }
  }
  const sql =
    sqlText(`insert into ${id(table.name)} (${table.columns.map((c) => id(c.name)).join(', ')}) ` + `select ${values.join(', ')} from json_to_recordset(`) +
    `?::json) as r(${sqlText(defs.join(', '))})`;
  return {
    maxRows: Math.max(1, batchSize),
    lines: true,
    insert: async (rows) => {
      if (rows.length === 0) return;
      await trx.raw(sql, [`[${(rows as string[]).join(',')}]`]);
    },
    close: () => undefined,
  };
}
