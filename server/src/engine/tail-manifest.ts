/**
 * Reads the manifest of a plain (not gzipped) tar archive from its end, without reading the rest:
 * the backup writes it last, right before the end-of-archive zero blocks. A restore that checks
 * every entry as it reads them anyway (restore.ts, `deferred`) needs only the manifest up front,
 * so the archive is read once instead of twice.
 *
 * The header is found by its position: for a manifest of `k` blocks the header sits `k + 1`
 * blocks before the zero blocks, and is taken only when its checksum is right, its name is
 * `manifest.json`, it is a regular file and its size fills exactly `k` blocks. The manifest's JSON
 * never holds a NUL byte, which every header does, so its text cannot pass for one. Returns null
 * when no such header is found (another tool's tar, a damaged end): the caller then reads the
 * whole archive as before.
 */
import fs from 'node:fs';
import { MANIFEST_NAME, MAX_MANIFEST_BYTES } from './constants';
import { TAR_BLOCK as BLOCK, checksumHolds, entrySize, textField } from './tar-header';
import { startsWithGzipMagic } from './verify';

/** The first read from the end; a larger manifest (a site with many thousand uploads) reads more. */
const FIRST_TAIL_BYTES = 1024 * 1024;
/** Zero blocks after the last entry: two, or up to a 10 KB record's padding (GNU tar's default). */
const MAX_END_BLOCKS = 2 + 20;

export async function readTailManifest(file: string): Promise<{ bytes: Buffer; size: number } | null> {
  const st = await fs.promises.stat(file).catch(() => null);
  if (!st?.isFile() || st.size % BLOCK !== 0 || st.size < 3 * BLOCK || (await startsWithGzipMagic(file))) return null;
  const { size } = st;
  const limit = Math.min(size, MAX_MANIFEST_BYTES + (MAX_END_BLOCKS + 1) * BLOCK + BLOCK);
  const h = await fs.promises.open(file, 'r');
  try {
    for (let want = Math.min(FIRST_TAIL_BYTES, limit); ; want = Math.min(want * 8, limit)) {
      const tail = Buffer.alloc(want);
      const { bytesRead } = await h.read(tail, 0, want, size - want);
      if (bytesRead !== want) return null;
      const found = findManifest(tail);
      if (found) return { bytes: found, size };
      if (found === null || want === limit) return null;
    }
  } finally {
    await h.close();
  }
}

/** The manifest's bytes; null when the tail cannot hold it; undefined when a larger tail might. */
function findManifest(tail: Buffer): Buffer | null | undefined {
  let end = tail.length;
  while (end >= BLOCK && isZero(tail, end - BLOCK) && tail.length - end < MAX_END_BLOCKS * BLOCK) end -= BLOCK;
  if (tail.length - end < 2 * BLOCK || isZero(tail, end - BLOCK)) return null;
  for (let k = 1; end - (k + 1) * BLOCK >= 0; k += 1) {
    const at = end - (k + 1) * BLOCK;
    const size = headerSize(tail, at);
    if (size !== null && Math.ceil(size / BLOCK) === k) return tail.subarray(at + BLOCK, at + BLOCK + size);
  }
  return undefined;
}

function isZero(buf: Buffer, at: number): boolean {
  for (let i = at; i < at + BLOCK; i += 1) if (buf[i] !== 0) return false;
  return true;
}

/** The size of the regular-file header for the manifest at `at`, or null when it is not one. */
function headerSize(buf: Buffer, at: number): number | null {
  const header = buf.subarray(at, at + BLOCK);
  if (textField(header, 0, 100) !== MANIFEST_NAME || textField(header, 345, 155) !== '') return null;
  const type = header[156];
  if (type !== 0x30 && type !== 0) return null; // '0' or NUL: a regular file
  if (!checksumHolds(header)) return null;
  const size = entrySize(header);
  return size !== null && size <= MAX_MANIFEST_BYTES ? size : null;
}
