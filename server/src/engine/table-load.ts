/**
 * Streams one `db/<table>.ndjson.gz` entry into the database: the compressed bytes are hashed as
 * they pass (the archive may be damaged, or have changed since it was checked: the sha256 and the
 * row count must still match the manifest), inflated on the thread pool, cut into lines, decoded
 * and inserted in batches (insert.ts). Memory holds two batches
 * (each bounded in rows and bytes: one being inserted, one being filled) and the line being read,
 * whatever the table's size; an entry that inflates like a decompression bomb is refused as verify
 * does.
 */
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { PlannedTable } from './compat';
import { INFLATE_RATIO_FLOOR, MAX_INFLATE_RATIO, TABLE_ENTRY_SUFFIX, DB_PREFIX, ZLIB_CHUNK } from './constants';
import { MAX_BATCH_BYTES, type TableWriter } from './insert';
import { RowDecoder } from './decode';
import { ArchiveRefusedError, RestoreFailedError } from './errors';
import { HashStream } from './hash-stream';
import { InFlight } from './in-flight';
import type { Dialect } from './types';

export interface TableLoadOptions {
  entry: AsyncIterable<Buffer>;
  table: PlannedTable;
  dialect: Dialect;
  writer: TableWriter;
  signal?: AbortSignal;
  /** Rows just inserted. */
  onRows?: (rows: number) => void;
}

/** Loads the entry; resolves with the rows inserted. */
export async function loadTableEntry(opts: TableLoadOptions): Promise<number> {
  const { table, writer } = opts;
  const entryName = `${DB_PREFIX}${table.name}${TABLE_ENTRY_SUFFIX}`;
  const hasher = new HashStream();
  const decoder = new RowDecoder(opts.dialect, table.name, table.columns);
  let rows = 0;
  // One batch in flight: the database inserts it (PostgreSQL: it is sent on the COPY) while the
  // next one is read, inflated and cut (on PostgreSQL and MySQL the server's work and ours overlap;
  // on SQLite both are this thread's).
  const inserts = new InFlight();

  // Not the driver error itself: knex prefixes it with the statement, values inlined (rows of
  // password hashes and tokens would end up in a record's message and in logs).
  const failed = (err: Error & { row?: number }, upTo: number): never => {
    throw new RestoreFailedError(`loading ${table.name} failed in the rows up to row ${err.row ?? upTo}: ${driverMessage(err)}`);
  };

  const consumeRows = async (inflatedChunks: AsyncIterable<Buffer>) => {
    const text = new StringDecoder('utf8');
    let rest = '';
    let inflated = 0;
    let batch: unknown[][] = [];
    let batchBytes = 0;
    const flush = async () => {
      const sending = batch;
      const upTo = rows;
      batch = [];
      batchBytes = 0;
      await inserts.start(() =>
        writer.insert(sending).then(
          () => opts.onRows?.(sending.length),
          (err) => failed(err, upTo),
        ),
      );
    };
    for await (const chunk of inflatedChunks) {
      inflated += chunk.length;
      if (inflated > INFLATE_RATIO_FLOOR && inflated > MAX_INFLATE_RATIO * hasher.bytes) {
        throw new ArchiveRefusedError([
          `${entryName} inflates to more than ${MAX_INFLATE_RATIO} times its compressed size; refused as a possible decompression bomb`,
        ]);
      }
      const piece = rest + text.write(chunk);
      let start = 0;
      for (let nl = piece.indexOf('\n'); nl !== -1; nl = piece.indexOf('\n', start)) {
        const line = piece.slice(start, nl);
        start = nl + 1;
        rows += 1;
        try {
          batch.push(decoder.decode(line, rows));
        } catch (err) {
          throw new ArchiveRefusedError([`${entryName}: ${(err as Error).message}`]);
        }
        batchBytes += line.length;
        if (batch.length >= writer.maxRows || batchBytes >= MAX_BATCH_BYTES) await flush();
      }
      rest = piece.slice(start);
    }
    if ((rest + text.end()).length > 0) throw new ArchiveRefusedError([`${entryName} does not end with a complete row`]);
    await flush();
    await inserts.finish();
    await writer.finish().catch((err) => failed(err, rows));
  };

  // What consumeRows threw: when it stops mid-entry (a failed insert), the stream it was reading
  // is destroyed with an AbortError, which pipeline reports first ("The operation was aborted"
  // instead of the database's message, on any table larger than a few chunks).
  let stopped: unknown = null;
  const consume = (chunks: AsyncIterable<Buffer>) =>
    consumeRows(chunks).catch((err: unknown) => {
      stopped ??= err;
      throw err;
    });

  try {
    await pipeline(opts.entry, hasher, zlib.createGunzip({ chunkSize: ZLIB_CHUNK }), consume, { signal: opts.signal });
  } catch (err) {
    const e = (stopped ?? err) as Error & { code?: string };
    // A damaged entry: report it as the archive's fault, not as a database error.
    if (e.code?.startsWith('Z_') || e.message?.includes('unexpected end of file')) {
      throw new ArchiveRefusedError([`${entryName} cannot be decompressed (${e.message})`]);
    }
    throw e;
  } finally {
    await inserts.settled(); // the connection is idle again before the writer closes
    writer.close();
  }
  if (hasher.digest() !== table.sha256) {
    throw new ArchiveRefusedError([`${entryName}: sha256 does not match the manifest (the archive is damaged, or changed since it was checked)`]);
  }
  if (rows !== table.rows) throw new ArchiveRefusedError([`${entryName}: holds ${rows} rows, the manifest says ${table.rows}`]);
  return rows;
}

/** The database's own message, without the statement knex puts in front of it. */
export function driverMessage(err: unknown): string {
  const e = err as { sqlMessage?: string; message?: string };
  if (typeof e.sqlMessage === 'string') return e.sqlMessage; // mysql2 keeps it apart
  const message = String(e.message ?? err);
  // knex writes `<statement with values> - <message>`: the last separator is never inside the values.
  const at = message.lastIndexOf(' - ');
  return at === -1 ? message : message.slice(at + 3);
}
