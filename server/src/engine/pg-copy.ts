/**
 * PostgreSQL's COPY, both ways. A restore writes each table's rows with one `COPY … FROM STDIN`
 * (copyIn starts it, copyRows gives the text; insert.ts's copyWriter feeds it). A backup reads
 * them as follows.
 *
 * A table's NDJSON made by the server, read with one `COPY … TO STDOUT`, as `pg_dump`
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
import type { Readable, Writable } from 'node:stream';
import { PG_COPY_READ_TIMEOUT_MS } from './constants';
import { castsToText } from './encode';
import { ident } from './foreign-keys';
import { throwIfAborted } from './hash-stream';
import type { TableInfo } from './introspect';
import type { SnapshotDb } from './snapshot';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module (brianc's, pg's author)
const { to: copyTo, from: copyFrom } = require('pg-copy-streams') as { to: (sql: string) => Readable; from: (sql: string) => Writable };

/**
 * A COPY that pg's client-side query_timeout does not cut (see PG_COPY_READ_TIMEOUT_MS), and whose
 * timer ends with it. pg clears a query's timer in the query's callback, which copy-from calls at
 * its end and copy-to never does (pg-copy-streams#156): each table dumped left a live 24-day timer
 * behind, holding the process open (jest never exited) and the query in memory. So the callback is
 * called on ReadyForQuery and on an error (a dropped connection gets no ReadyForQuery), as
 * copy-from does; a second call only clears a cleared timer.
 */
function untimed<T extends Readable | Writable>(copy: T): T {
  const query = copy as T & { callback?: () => void; handleReadyForQuery(): void; handleError(error: Error): void };
  const { handleReadyForQuery, handleError } = query;
  query.handleReadyForQuery = function (this: typeof query) {
    this.callback?.();
    handleReadyForQuery.call(this);
  };
  query.handleError = function (this: typeof query, error: Error) {
    this.callback?.();
    handleError.call(this, error);
  };
  return Object.assign(query, { query_timeout: PG_COPY_READ_TIMEOUT_MS });
}

/** What the dump writes: text and the rows it completes. */
export interface Lines {
  text: string | Buffer;
  rows: number;
}

/** What the dump uses of a pg Client: the COPY, and what a second client needs to cancel it. */
interface PgConnection {
  query<T extends Readable | Writable>(submittable: T): T;
  processID: number;
  connectionParameters: object;
  constructor: new (config: object) => { connect(): Promise<void>; query(sql: string, values: unknown[]): Promise<unknown>; end(): Promise<void> };
}

const NEWLINE = 0x0a;

/**
 * The `COPY` of a table's rows as NDJSON. CSV with a quote and a delimiter JSON never holds raw
 * (PostgreSQL escapes every control character in JSON text) prints each object as it is, one per
 * line; text format would double its backslashes.
 */
export function copySql(db: SnapshotDb, table: TableInfo): string {
  const list = table.columns.map((c) => {
    const col = db.raw('??.??', [table.name, c.name]).toQuery();
    const as = db.raw('??', [c.name]).toQuery();
    if (c.kind === 'binary') return `translate(encode(${col}, 'base64'), E'\\n', '') as ${as}`;
    // Parsed JSON (archives marked otherwise): jsonb, whose text never holds a raw newline (json's may).
    if (c.kind === 'json' && c.encoding !== 'text') return `${col}::jsonb as ${as}`;
    if (castsToText('postgres', c.kind)) return `${col}::text as ${as}`;
    return `${col} as ${as}`;
  });
  // A table without a key (Strapi creates none) is ordered by all its columns (json, which has no
  // ordering, by its text): identical rows are interchangeable.
  const order = table.primaryKey.length
    ? table.primaryKey.map((name) => db.raw('??.??', [table.name, name]).toQuery())
    : table.columns.map((c) => db.raw(c.kind === 'json' ? '??.??::text' : '??.??', [table.name, c.name]).toQuery());
  const from = db.raw('??', [table.name]).toQuery();
  // `r.*`: the whole row even where a column is named r.
  return `COPY (select row_to_json(r.*) from (select ${list.join(', ')} from ${from} order by ${order.join(', ')}) r) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}

/**
 * Yields the table's NDJSON as the server sends it. When the caller stops early (an abort, a failed
 * write), the server is asked to cancel the COPY, then what it still sends is read to the end: the
 * connection serves nothing else until then, and the backup's transaction has to end on it. An
 * abort asks for the cancel at once, also while this waits for the server or for gzip.
 */
export async function* copyLines(db: SnapshotDb, table: TableInfo, signal?: AbortSignal): AsyncGenerator<Lines> {
  // Inside a transaction, knex hands out the transaction's own connection (and "releases" it as a no-op).
  const conn = (await db.client.acquireConnection()) as PgConnection;
  let cancelling: Promise<void> | null = null;
  const cancel = () => (cancelling ??= cancelStatement(conn));
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const chunks = conn.query(untimed(copyTo(copySql(db, table))))[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let sending = true; // the COPY has neither ended nor failed
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield { text: next.value, rows: countLines(next.value) };
      sending = false;
    } catch (error) {
      sending = false; // it failed: the connection is free again
      throwIfAborted(signal); // the cancel's error, when an abort asked for it
      throw error;
    } finally {
      if (sending) {
        await cancel();
        // Never return() the iterator: that destroys the stream mid-COPY and stalls the connection.
        try {
          while (!(await chunks.next()).done);
        } catch {
          // The COPY ended with an error (the cancel's): the connection is free again.
        }
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    await db.client.releaseConnection(conn);
  }
}

/**
 * Asks the server to cancel what `conn` runs, from a connection of its own with the same settings
 * (pg_cancel_backend). Best effort: where it cannot connect, the COPY is read to its end instead. A
 * cancel that arrives once the statement is over is ignored by the server.
 */
async function cancelStatement(conn: PgConnection): Promise<void> {
  const other = new conn.constructor(conn.connectionParameters);
  try {
    await other.connect();
    await other.query('select pg_cancel_backend($1)', [conn.processID]);
  } catch {
    // Read to the end instead.
  } finally {
    await other.end().catch(() => undefined);
  }
}

function countLines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) n += 1;
  return n;
}

/** What a restore's load hands copyIn: its transaction's pg Client. */
export type CopyInConnection = Pick<PgConnection, 'query'>;

/**
 * Starts `COPY table (columns) FROM STDIN` on a pg Client: write copyRows' text to it, then end it.
 * When the server reports an error, pg-copy-streams lets go of its connection while a chunk may
 * still wait in the stream's buffer, which would be flushed onto that connection once the socket
 * drains, and throw outside any caller (pg-copy-streams#171): so the stream is destroyed at once
 * (nothing more is flushed; the CopyFail it sends is dropped by a server that already ended the COPY).
 */
export function copyIn(conn: CopyInConnection, table: string, columns: string[]): Writable {
  const id = (name: string) => ident('postgres', name);
  const stream = conn.query(untimed(copyFrom(`copy ${id(table)} (${columns.map(id).join(', ')}) from stdin`)));
  stream.on('error', () => stream.destroy());
  return stream;
}

/** COPY's text format: a backslash and the three characters that frame rows and fields are escaped. */
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = new RegExp(COPY_SPECIAL.source, 'g');
const COPY_ESCAPE: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const copyText = (s: string) => (COPY_SPECIAL.test(s) ? s.replace(COPY_SPECIALS, (c) => COPY_ESCAPE[c]) : s);

/** One field: values as decode.ts gives them for PostgreSQL (a Buffer for bytea, else text, numbers, booleans). */
function copyField(v: unknown): string {
  if (v === null) return '\\N';
  if (typeof v === 'string') return copyText(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`; // bytea's hex input, its backslash escaped
  if (typeof v === 'object') return copyText(JSON.stringify(v));
  return Object.is(v, -0) ? '-0' : String(v); // String(-0) is "0"
}

/** Rows of values in column order as COPY … FROM's text format, each line ended. */
export function copyRows(rows: unknown[][]): string {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i += 1) text += (i ? '\t' : '') + copyField(row[i]);
    text += '\n';
  }
  return text;
}
