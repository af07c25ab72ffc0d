/** Small helpers for engine tests: read archives whole (test archives are small), craft tars. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';

export interface ArchiveEntry {
  name: string;
  type: string;
  /** Permission bits the entry is stored with. */
  mode: number;
  data: Buffer;
}

export async function readArchive(file: string): Promise<ArchiveEntry[]> {
  let buf = await fs.promises.readFile(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const extract = tar.extract();
  const out: ArchiveEntry[] = [];
  const done = (async () => {
    for await (const entry of extract as unknown as AsyncIterable<AsyncIterable<Buffer> & { header: tar.Header }>) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c);
      out.push({ name: entry.header.name, type: entry.header.type, mode: (entry.header.mode ?? 0) & 0o777, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(buf);
  await done;
  return out;
}

/** Rows of a `db/<table>.ndjson.gz` entry. */
export function tableRows(entries: ArchiveEntry[], table: string): Record<string, unknown>[] {
  const e = entries.find((x) => x.name === `db/${table}.ndjson.gz`);
  if (!e) throw new Error(`no entry for table ${table}`);
  const text = zlib.gunzipSync(e.data).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Writes a tar built from entries (optionally gzip), for tampering tests. */
export async function writeTar(
  file: string,
  entries: { name: string; data?: Buffer; type?: tar.Header['type']; linkname?: string; pax?: Record<string, string> }[],
  gzip = false,
): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const header: any = { name: e.name, type: e.type ?? 'file', mode: 0o644 };
      if (e.linkname) header.linkname = e.linkname;
      if (e.pax) header.pax = e.pax;
      pack.entry(header, e.data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  let buf = Buffer.concat(chunks);
  if (gzip) buf = zlib.gzipSync(buf);
  await fs.promises.writeFile(file, buf);
}

export async function tempDir(prefix = 'backup-test-'): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await fs.promises.mkdir(path.dirname(abs), { recursive: true });
    await fs.promises.writeFile(abs, content);
  }
}

/**
 * Rebuilds an archive with `edit` applied to its entries, then fixes the manifest (every table's
 * sha256 and row count, every file's size and sha256) so that it verifies again: a hand-made
 * archive that only a restore can find wrong.
 */
export async function craftArchive(source: string, dest: string, edit: (entries: ArchiveEntry[]) => ArchiveEntry[] | void, fixManifest = true): Promise<void> {
  const entries = await readArchive(source);
  const edited = edit(entries) ?? entries;
  const manifestEntry = edited.find((e) => e.name === 'manifest.json')!;
  if (fixManifest) {
    const manifest = JSON.parse(manifestEntry.data.toString('utf8'));
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    for (const t of manifest.tables) {
      const e = edited.find((x) => x.name === `db/${t.name}.ndjson.gz`);
      if (!e) continue;
      t.sha256 = sha(e.data);
      t.rows = zlib.gunzipSync(e.data).toString('utf8').split('\n').filter(Boolean).length;
    }
    for (const f of manifest.files) {
      const e = edited.find((x) => x.name === f.path);
      if (e) Object.assign(f, { size: e.data.length, sha256: sha(e.data) });
    }
    manifestEntry.data = Buffer.from(JSON.stringify(manifest));
  }
  await writeTar(
    dest,
    edited.map((e) => ({ name: e.name, data: e.data, type: e.type as tar.Header['type'] })),
  );
}

/** Replaces the rows of a table entry (gzip NDJSON) in place. */
export function setTableRows(entries: ArchiveEntry[], table: string, edit: (rows: Record<string, unknown>[]) => Record<string, unknown>[]): void {
  const e = entries.find((x) => x.name === `db/${table}.ndjson.gz`);
  if (!e) throw new Error(`no entry for table ${table}`);
  const rows = edit(tableRows(entries, table));
  e.data = zlib.gzipSync(Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join('')));
}

/** Where the data of `entry` starts in a tar's bytes (found by its header's name). */
export function entryDataOffset(bytes: Buffer, entry: string): number {
  for (let off = 0; off < bytes.length; off += 512) {
    if (bytes.subarray(off, off + entry.length).toString() === entry && bytes[off + entry.length] === 0) return off + 512;
  }
  throw new Error(`no ${entry}`);
}

/** A copy of a tar's bytes with the byte `at` of `entry`'s data flipped (damage, for refusal tests). */
export function flipEntryByte(bytes: Buffer, entry: string, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[entryDataOffset(copy, entry) + at] ^= 0xff;
  return copy;
}
