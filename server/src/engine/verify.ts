/**
 * verifyArchive: reads an archive once, start to end, and checks it against its own manifest —
 * format and version, every entry's sha256, every table's row count, every file's size — and
 * rejects entries that could escape a restore directory (absolute paths, `..`, backslashes,
 * links, devices) or that the manifest does not list. A bad archive never throws: the result
 * lists one clear line per problem. (Only a caller's abort throws, with an AbortError.)
 * `forRestore` checks less where a restore re-checks anyway (VerifyOptions).
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { ARCHIVE_READ_CHUNK, DB_PREFIX, INFLATE_RATIO_FLOOR, MANIFEST_NAME, MAX_INFLATE_RATIO, MAX_MANIFEST_BYTES, TABLE_ENTRY_SUFFIX } from './constants';
import { HashStream, abortError, throwIfAborted } from './hash-stream';
import { parseManifest } from './manifest';
import type { Manifest, VerifyResult } from './types';

interface SeenEntry {
  /** Absent when the entry was listed, not hashed (VerifyOptions.forRestore). */
  sha256?: string;
  size: number;
  /** Lines of a table entry, or an error reading its gzip. */
  rows?: number;
  rowsError?: string;
}

export interface VerifyOptions {
  signal?: AbortSignal;
  expectedSha256?: string;
  /**
   * Only what a restore needs before it starts (checkArchive), at the least cost. With
   * expectedSha256, a matching file sha256 vouches for every entry (the backup hashed both from
   * the same bytes): entries are listed and their paths checked, not re-hashed or inflated.
   * Without it, entries are checked in full and the file itself is not hashed (there is nothing to
   * compare it with; `sha256` is empty). restoreArchive checks every entry again as it loads it.
   */
  forRestore?: boolean;
  /** Bytes of the archive file read so far, and its size. */
  onProgress?: (read: number, size: number) => void;
}

const noop = () => undefined;

/** An entry as tar-stream's extract yields it (a streamx Readable with its header). */
type Entry = AsyncIterable<Buffer> & { header: tar.Header };

/** Why an entry name or type is unsafe, or null when it is acceptable. */
export function unsafeEntry(name: string, type: string | null | undefined): string | null {
  const shown = JSON.stringify(name);
  if (!name) return 'an entry has an empty name';
  if (name.includes('\\')) return `entry ${shown} contains a backslash`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `entry ${shown} is an absolute path`;
  if (name.split('/').some((s) => s === '..')) return `entry ${shown} escapes the archive with a ".." segment`;
  if (name.includes('\0')) return `entry ${shown} contains a NUL byte`;
  if (type !== 'file') return `entry ${shown} is a ${type ?? 'unknown type'}, not a regular file`;
  return null;
}

export async function verifyArchive(file: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  throwIfAborted(opts.signal);
  let size = 0;
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) return fail(`${file} is not a file`);
    size = st.size;
  } catch (err) {
    return fail(`cannot read ${file}: ${(err as Error).message}`);
  }

  const errors: string[] = [];
  const seen = new Map<string, SeenEntry>();
  let manifestText: string | null = null;
  const hashEntries = !(opts.forRestore && opts.expectedSha256);
  const hashFile = !opts.forRestore || Boolean(opts.expectedSha256);
  const fileHash = new HashStream(opts.onProgress && (() => opts.onProgress!(fileHash.bytes, size)), hashFile);
  const source = fs.createReadStream(file, { highWaterMark: ARCHIVE_READ_CHUNK });
  const gunzip = (await startsWithGzipMagic(file)) ? zlib.createGunzip() : null;
  const extract = tar.extract();
  const upstream: NodeJS.ReadableStream = gunzip ? fileHash.pipe(gunzip) : fileHash;
  const fatal = (err: Error) => extract.destroy(err);
  source.on('error', fatal);
  fileHash.on('error', fatal);
  gunzip?.on('error', fatal);
  source.pipe(fileHash);
  upstream.pipe(extract as unknown as NodeJS.WritableStream);
  const onAbort = () => source.destroy(abortError(opts.signal));
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  let corrupt: string | null = null;
  try {
    for await (const entry of extract as unknown as AsyncIterable<Entry>) {
      const { name, type } = entry.header;
      const problem = unsafeEntry(name, type);
      if (problem) {
        errors.push(problem);
        await drain(entry);
        continue;
      }
      if (seen.has(name)) errors.push(`entry ${JSON.stringify(name)} appears more than once`);
      if (name === MANIFEST_NAME) {
        const { text, seenEntry } = await readManifestEntry(entry);
        manifestText = text;
        seen.set(name, seenEntry);
      } else if (hashEntries) {
        seen.set(name, await hashEntry(entry, isTableEntry(name)));
      } else {
        seen.set(name, { size: await drain(entry) });
      }
    }
    // The tar ended (its end-of-archive blocks); hash whatever follows so the file sha256 is whole.
    upstream.unpipe(extract as unknown as NodeJS.WritableStream);
    (upstream as Readable).resume();
    await finished(fileHash);
  } catch (err) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    corrupt = `the archive is truncated or corrupt: ${(err as Error).message}`;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    source.destroy();
  }
  throwIfAborted(opts.signal);

  const sha256 = corrupt ? '' : fileHash.digest();
  let manifest: Manifest | null = null;
  if (corrupt) {
    errors.push(corrupt);
  } else if (manifestText === null) {
    errors.push('manifest.json is missing: the archive is truncated or not a strapi-plugin-backup archive');
  } else {
    const parsed = parseManifest(manifestText);
    manifest = parsed.manifest;
    errors.push(...parsed.errors);
    if (manifest) errors.push(...compareWithManifest(manifest, seen));
  }
  if (opts.expectedSha256 && !corrupt && sha256 !== opts.expectedSha256.toLowerCase()) {
    errors.push(shaMismatch(sha256, opts.expectedSha256));
  }
  return { ok: errors.length === 0, errors, manifest, sha256, size };
}

/** The refusal of a file whose sha256 is not the one its backup recorded (verify, and a deferred restore). */
export function shaMismatch(actual: string, expected: string): string {
  return `archive sha256 ${actual} differs from the expected ${expected} (the archive was modified or damaged since it was written)`;
}

function fail(message: string): VerifyResult {
  return { ok: false, errors: [message], manifest: null, sha256: '', size: 0 };
}

export function isTableEntry(name: string): boolean {
  return name.startsWith(DB_PREFIX) && name.endsWith(TABLE_ENTRY_SUFFIX);
}

function compareWithManifest(manifest: Manifest, seen: Map<string, SeenEntry>): string[] {
  const errors: string[] = [];
  const listed = new Set<string>([MANIFEST_NAME]);
  for (const t of manifest.tables) {
    const name = `${DB_PREFIX}${t.name}${TABLE_ENTRY_SUFFIX}`;
    listed.add(name);
    const e = seen.get(name);
    if (!e) {
      errors.push(`${name} is listed in the manifest but missing from the archive`);
      continue;
    }
    if (e.sha256 === undefined) continue;
    if (e.sha256 !== t.sha256) errors.push(`${name}: sha256 does not match the manifest (the entry was modified or damaged)`);
    else if (e.rowsError) errors.push(`${name}: ${e.rowsError}`);
    else if (e.rows !== t.rows) errors.push(`${name}: holds ${e.rows} rows, the manifest says ${t.rows}`);
  }
  for (const f of manifest.files) {
    listed.add(f.path);
    const e = seen.get(f.path);
    if (!e) {
      errors.push(`${f.path} is listed in the manifest but missing from the archive`);
      continue;
    }
    if (e.size !== f.size) errors.push(`${f.path}: size ${e.size} bytes, the manifest says ${f.size}`);
    if (e.sha256 !== undefined && e.sha256 !== f.sha256) errors.push(`${f.path}: sha256 does not match the manifest (the entry was modified or damaged)`);
  }
  for (const name of seen.keys()) {
    if (!listed.has(name)) errors.push(`entry ${JSON.stringify(name)} is not listed in the manifest`);
  }
  return errors;
}

/** Reads an entry to its end; resolves with its size. */
async function drain(entry: Entry): Promise<number> {
  let size = 0;
  for await (const chunk of entry) size += chunk.length;
  return size;
}

async function readManifestEntry(entry: Entry): Promise<{ text: string | null; seenEntry: SeenEntry }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    hash.update(chunk);
    size += chunk.length;
    if (size <= MAX_MANIFEST_BYTES) chunks.push(chunk);
  }
  const text = size <= MAX_MANIFEST_BYTES ? Buffer.concat(chunks).toString('utf8') : '"manifest.json is too large"';
  return { text, seenEntry: { sha256: hash.digest('hex'), size } };
}

/** Hashes an entry; for a table entry also gunzips it and counts its lines (rows). */
async function hashEntry(entry: Entry, table: boolean): Promise<SeenEntry> {
  const hash = createHash('sha256');
  let size = 0;
  let rows = 0;
  let rowsError: string | undefined;
  let gunzip: zlib.Gunzip | null = null;
  let gunzipDone: Promise<unknown> | null = null;
  let inflated = 0;
  if (table) {
    gunzip = zlib.createGunzip();
    gunzip.on('data', (buf: Buffer) => {
      inflated += buf.length;
      if (inflated > INFLATE_RATIO_FLOOR && inflated > MAX_INFLATE_RATIO * size && !rowsError) {
        // A decompression bomb: stop inflating; the entry's hash is still read to its end.
        rowsError = `inflates to more than ${MAX_INFLATE_RATIO} times its compressed size; refused as a possible decompression bomb`;
        gunzip!.destroy(new Error(rowsError));
        return;
      }
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) rows += 1;
    });
    gunzipDone = once(gunzip, 'end').catch((err: Error) => {
      rowsError ??= `cannot be decompressed (${err.message})`;
    });
  }
  for await (const chunk of entry) {
    hash.update(chunk);
    size += chunk.length;
    if (gunzip && !rowsError && !gunzip.write(chunk)) {
      await Promise.race([once(gunzip, 'drain'), gunzipDone]).catch(noop);
    }
  }
  if (gunzip) {
    if (!gunzip.destroyed) gunzip.end();
    await gunzipDone;
  }
  return { sha256: hash.digest('hex'), size, rows: table ? rows : undefined, rowsError };
}

export async function startsWithGzipMagic(file: string): Promise<boolean> {
  const h = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await h.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await h.close();
  }
}
