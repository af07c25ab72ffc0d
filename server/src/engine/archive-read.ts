/**
 * Reads an archive's entries in one streaming pass (tar, or tar gzip-compressed whole). Each entry
 * must be consumed (or drained) before the next one is asked for; memory holds the chunks in
 * flight only. An abort or a read error ends the iteration with that error; breaking out of the
 * loop closes the file. With `fileHash`, every byte of the file passes through it, those after
 * the tar's end-of-archive blocks too, so its digest is the whole file's once the entries end.
 * With `start` (a plain tar only: an entry's offset, from tar-seek.ts), reading begins there.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { ARCHIVE_READ_CHUNK } from './constants';
import { abortError, throwIfAborted, type HashStream } from './hash-stream';
import { startsWithGzipMagic } from './verify';

/** An entry as tar-stream's extract yields it (a streamx Readable with its header). */
export type ArchiveEntry = AsyncIterable<Buffer> & { header: tar.Header };

export interface ReadOptions {
  signal?: AbortSignal;
  fileHash?: HashStream;
  start?: number;
}

export async function* readEntries(file: string, { signal, fileHash, start = 0 }: ReadOptions = {}): AsyncGenerator<ArchiveEntry> {
  throwIfAborted(signal);
  const gzip = await startsWithGzipMagic(file);
  if (start && (gzip || fileHash)) throw new Error('readEntries: start is for a plain tar read without its whole-file hash');
  const source = fs.createReadStream(file, { highWaterMark: ARCHIVE_READ_CHUNK, start });
  const gunzip = gzip ? zlib.createGunzip() : null;
  const extract = tar.extract();
  const fail = (err: Error) => extract.destroy(err);
  source.on('error', fail);
  fileHash?.on('error', fail);
  gunzip?.on('error', fail);
  const read = fileHash ? source.pipe(fileHash) : source;
  const upstream: Readable = gunzip ? read.pipe(gunzip) : read;
  upstream.pipe(extract as unknown as NodeJS.WritableStream);
  const onAbort = () => extract.destroy(abortError(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const entry of extract as unknown as AsyncIterable<ArchiveEntry>) {
      yield entry;
    }
    if (fileHash) {
      upstream.unpipe(extract as unknown as NodeJS.WritableStream);
      upstream.resume();
      await finished(fileHash);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    source.destroy();
    gunzip?.destroy();
    extract.destroy();
  }
  throwIfAborted(signal);
}

/** Reads an entry to its end without keeping it. */
export async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of entry) void _chunk;
}
