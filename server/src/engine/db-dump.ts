/**
 * Streams every table of the snapshot into `<outDir>/<table>.ndjson.gz`: rows in primary-key
 * order, one JSON object per line, gzip-compressed as it is written, with the row count and the
 * sha256 of the compressed bytes computed on the way. On SQLite and MySQL the rows are fetched with
 * keyset pagination (never OFFSET on a table with a key) and encoded here, one batch in memory at a
 * time; on PostgreSQL the server writes the lines, read with one COPY per table (pg-copy.ts). gzip
 * runs on libuv's thread pool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { ENCODE_SLICE_ROWS, GZIP_HIGH_WATER_MARK, GZIP_LEVEL, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, TABLE_ENTRY_SUFFIX, ZLIB_CHUNK } from './constants';
import { encodeRow, selectList } from './encode';
import { HashStream, throwIfAborted } from './hash-stream';
import { copyLines, type Lines } from './pg-copy';
import type { TableInfo } from './introspect';
import type { ColumnInfo, Dialect } from './types';
import type { SnapshotDb } from './snapshot';

export interface DumpedTable {
  name: string;
  rows: number;
  sha256: string;
  size: number;
  /** Staged file holding the compressed entry. */
  file: string;
}

export interface DumpOptions {
  db: SnapshotDb;
  dialect: Dialect;
  tables: TableInfo[];
  outDir: string;
  batchSize: number;
  signal?: AbortSignal;
  /** Called every `batchSize` rows or so, and at the table's end, with the table and the rows just written. */
  onRows?: (table: string, rows: number) => void;
  /** Called when a table is complete. */
  onTable?: (table: DumpedTable) => void;
}

const noop = () => undefined;

export function tableFileName(table: string): string {
  return `${table}${TABLE_ENTRY_SUFFIX}`;
}

export async function dumpTables(opts: DumpOptions): Promise<DumpedTable[]> {
  await fs.promises.mkdir(opts.outDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const out: DumpedTable[] = [];
  // One connection reads the snapshot, so tables are read one after the other; each table's gzip
  // keeps compressing on the thread pool while the next batch is fetched.
  for (const table of opts.tables) {
    throwIfAborted(opts.signal);
    const dumped = await dumpTable(opts, table);
    out.push(dumped);
    opts.onTable?.(dumped);
  }
  return out;
}

async function dumpTable(opts: DumpOptions, table: TableInfo): Promise<DumpedTable> {
  const file = path.join(opts.outDir, tableFileName(table.name));
  const gzip = zlib.createGzip({ level: GZIP_LEVEL, highWaterMark: GZIP_HIGH_WATER_MARK, chunkSize: ZLIB_CHUNK } as zlib.ZlibOptions);
  const hasher = new HashStream();
  const done = pipeline(gzip, hasher, fs.createWriteStream(file, { mode: PRIVATE_FILE_MODE }));
  done.catch(noop); // observed below; avoid an unhandled rejection while we are still writing
  let rows = 0;
  let unreported = 0;
  const lines = opts.dialect === 'postgres' ? copyLines(opts.db, table, opts.signal) : encodedLines(opts, table);
  try {
    // Each piece goes to gzip as soon as it is there, so gzip compresses it (on the thread pool)
    // while the next is read or encoded; the wait for 'drain' comes only once a few MB are queued.
    for await (const { text, rows: completed } of lines) {
      if (!gzip.write(text)) {
        // Backpressure: wait until gzip drained (or the pipeline failed).
        const drained = once(gzip, 'drain');
        drained.catch(noop);
        await Promise.race([drained, done]);
      }
      rows += completed;
      unreported += completed;
      if (unreported >= opts.batchSize) {
        opts.onRows?.(table.name, unreported);
        unreported = 0;
      }
      throwIfAborted(opts.signal);
    }
    if (unreported > 0) opts.onRows?.(table.name, unreported);
    gzip.end();
    await done;
  } catch (err) {
    gzip.destroy(err as Error);
    await done.catch(noop);
    throw err;
  }
  return { name: table.name, rows, sha256: hasher.digest(), size: hasher.bytes, file };
}

/** SQLite and MySQL: the rows read batch by batch and encoded here, slice by slice. */
async function* encodedLines(opts: DumpOptions, table: TableInfo): AsyncGenerator<Lines> {
  for await (const batch of readBatches(opts, table)) {
    for (let i = 0; i < batch.length; i += ENCODE_SLICE_ROWS) {
      if (i > 0) await yieldToEventLoop(); // the encoding is synchronous: the site's requests get a turn
      const slice = batch.slice(i, i + ENCODE_SLICE_ROWS);
      let text = '';
      for (const row of slice) text += JSON.stringify(encodeRow(table.columns, row)) + '\n';
      yield { text, rows: slice.length };
    }
  }
}

/** Yields the rows of a table batch by batch, in primary-key order (SQLite, MySQL). */
async function* readBatches(opts: Pick<DumpOptions, 'db' | 'dialect' | 'batchSize' | 'signal'>, table: TableInfo): AsyncGenerator<Record<string, unknown>[]> {
  const { db, dialect, batchSize } = opts;
  const columns = selectList(db, dialect, table.name, table.columns);
  const pk = table.primaryKey;
  if (pk.length === 0) {
    yield* readWithoutKey(opts, table, columns);
    return;
  }
  let last: unknown[] | null = null;
  for (;;) {
    throwIfAborted(opts.signal);
    let q = db.select(columns).from(table.name).limit(batchSize);
    for (const c of pk) q = q.orderByRaw('??.?? asc', [table.name, c]);
    if (last) {
      const { sql, bindings } = keysetCondition(dialect, table, last);
      q = q.whereRaw(sql, bindings);
    }
    const rows: Record<string, unknown>[] = await q;
    if (rows.length === 0) return;
    // On SQLite the query ran synchronously: let the site's requests in before the encoding.
    await yieldToEventLoop();
    yield rows;
    if (rows.length < batchSize) return;
    const lastRow = rows[rows.length - 1];
    // The raw driver values (text for casted kinds) are what the next WHERE compares with.
    last = pk.map((c) => lastRow[c]);
  }
}

/**
 * `(pk) > (last)` spelled out so it runs on all three dialects and uses the key's index:
 * `a >= ? AND (a > ? OR (a = ? AND b > ?) OR …)`.
 */
function keysetCondition(dialect: Dialect, table: TableInfo, last: unknown[]): { sql: string; bindings: unknown[] } {
  const pk = table.primaryKey;
  const kinds = pk.map((c) => table.columns.find((col) => col.name === c)?.kind ?? 'other');
  const col = '??.??';
  const param = (i: number) => paramSql(dialect, kinds[i]);
  const ors: string[] = [];
  const bindings: unknown[] = [table.name, pk[0], last[0]];
  for (let i = 0; i < pk.length; i += 1) {
    const parts: string[] = [];
    for (let j = 0; j < i; j += 1) {
      parts.push(`${col} = ${param(j)}`);
      bindings.push(table.name, pk[j], last[j]);
    }
    parts.push(`${col} > ${param(i)}`);
    bindings.push(table.name, pk[i], last[i]);
    ors.push(parts.length > 1 ? `(${parts.join(' and ')})` : parts[0]);
  }
  return { sql: `${col} >= ${param(0)} and (${ors.join(' or ')})`, bindings };
}

function paramSql(dialect: Dialect, kind: ColumnInfo['kind']): string {
  // MySQL compares a BIGINT column with a string as doubles (lossy beyond 2^53): compare exactly.
  if (dialect === 'mysql' && kind === 'bigint') return 'cast(? as decimal(65,0))';
  return '?';
}

/**
 * Tables without a primary key cannot be paged by key. Strapi creates none (link tables have an
 * id), so the rare ones are small: page them with LIMIT/OFFSET over an ORDER BY of every column,
 * which inside the snapshot yields each row exactly once (identical rows are interchangeable).
 */
async function* readWithoutKey(
  opts: Pick<DumpOptions, 'db' | 'batchSize' | 'signal'>,
  table: TableInfo,
  columns: Knex.Raw[],
): AsyncGenerator<Record<string, unknown>[]> {
  const { db, batchSize } = opts;
  for (let offset = 0; ; offset += batchSize) {
    throwIfAborted(opts.signal);
    let q = db.select(columns).from(table.name).limit(batchSize).offset(offset);
    for (const c of table.columns) q = q.orderByRaw('??.?? asc', [table.name, c.name]);
    const rows: Record<string, unknown>[] = await q;
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchSize) return;
  }
}
