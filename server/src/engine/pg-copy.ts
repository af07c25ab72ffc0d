/**
 * PostgreSQL: a table's NDJSON made by the server, read with one `COPY … TO STDOUT`, as `pg_dump`
 * reads a table. The server builds each row's JSON object (`row_to_json` over the select list the
 * table's kinds need, in primary-key order); the dump only compresses what arrives. Where the time
 * went before (the bench site, 2026-12-06): paging through the rows, the driver parsing each into
 * an object and the dump encoding it again took 2.7 s of a database-only backup against pg_dump's
 * 2.0 s; one COPY of the same rows into gzip took 1.2-1.5 s in a probe.
 *
 * The values are those of encode.ts's table (bigint, decimal, dates, json and `other` columns as
 * their text; bytea as base64; booleans and numbers as JSON). One difference in spelling, none in
 * value: a float is printed by PostgreSQL (`1e-05` where JavaScript prints `0.00001`).
 */
import type { Knex } from 'knex';
import type { Readable } from 'node:stream';
import { castsToText } from './encode';
import type { TableInfo } from './introspect';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module (brianc's, pg's author)
const copyTo: (sql: string) => Readable & { rowCount: number } = require('pg-copy-streams').to;

/** What the dump writes: text and the rows it completes. */
export interface Lines {
  text: string | Buffer;
  rows: number;
}

interface PgConnection {
  query(submittable: Readable): Readable & { rowCount: number };
}

const NEWLINE = 0x0a;

/**
 * The `COPY` of a table's rows as NDJSON. CSV with a quote and a delimiter JSON never holds raw
 * (PostgreSQL escapes every control character in JSON text) prints each object as it is, one per
 * line; text format would double its backslashes.
 */
export function copySql(db: Knex | Knex.Transaction, table: TableInfo): string {
  const list = table.columns.map((c) => {
    const col = db.raw('??.??', [table.name, c.name]).toQuery();
    const as = db.raw('??', [c.name]).toQuery();
    if (c.kind === 'binary') return `translate(encode(${col}, 'base64'), E'\\n', '') as ${as}`;
    if (c.kind === 'json' && c.encoding !== 'text') return `${col}::json as ${as}`;
    if (castsToText('postgres', c.kind)) return `${col}::text as ${as}`;
    return `${col} as ${as}`;
  });
  // A table without a key (Strapi creates none) is ordered by all its columns (json, which has no
  // ordering, by its text): identical rows are interchangeable.
  const keys = table.primaryKey.length ? table.primaryKey.map((name) => ({ name, kind: 'other' })) : table.columns;
  const order = keys.map((c) => db.raw(c.kind === 'json' ? '??.??::text' : '??.??', [table.name, c.name]).toQuery());
  const from = db.raw('??', [table.name]).toQuery();
  return `COPY (select row_to_json(r) from (select ${list.join(', ')} from ${from} order by ${order.join(', ')}) r) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}

/**
 * Yields the table's NDJSON as the server sends it. The COPY is always read to its end, also when
 * the caller stops early (an abort, a failed write): the connection serves nothing else until it
 * is, and the backup's transaction still has to end on it.
 */
export async function* copyLines(db: Knex | Knex.Transaction, table: TableInfo): AsyncGenerator<Lines> {
  // Inside a transaction, knex hands out the transaction's own connection (and "releases" it as a no-op).
  const conn = (await db.client.acquireConnection()) as PgConnection;
  try {
    const copy = conn.query(copyTo(copySql(db, table)));
    const chunks = copy[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let lines = 0;
    let ended = false;
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        const rows = countLines(next.value);
        lines += rows;
        yield { text: next.value, rows };
      }
      ended = true;
    } finally {
      // Never return() the iterator: that destroys the stream mid-COPY and stalls the connection.
      try {
        while (!ended) ended = Boolean((await chunks.next()).done);
      } catch {
        // The COPY failed: its error is the one thrown already, and the connection is free again.
      }
    }
    if (lines !== copy.rowCount) throw new Error(`the COPY of ${table.name} sent ${lines} lines for ${copy.rowCount} rows`);
  } finally {
    await db.client.releaseConnection(conn);
  }
}

function countLines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) n += 1;
  return n;
}
