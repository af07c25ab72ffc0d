/**
 * Reads an archive's entries in one streaming pass (tar, or tar gzip-compressed whole). Each entry
 * must be consumed (or drained) before the next one is asked for; memory holds the chunks in
 * flight only. An abort or a read error ends the iteration with that error; breaking out of the
 * loop closes the file.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { ARCHIVE_READ_CHUNK } from './constants';
import { abortError, throwIfAborted } from './hash-stream';
import { startsWithGzipMagic } from './verify';

/** An entry as tar-stream's extract yields it (a streamx Readable with its header). */
export type ArchiveEntry = AsyncIterable<Buffer> & { header: tar.Header };

export async function* readEntries(file: string, signal?: AbortSignal): AsyncGenerator<ArchiveEntry> {
  throwIfAborted(signal);
  const gzip = await startsWithGzipMagic(file);
  const source = fs.createReadStream(file, { highWaterMark: ARCHIVE_READ_CHUNK });
  const gunzip = gzip ? zlib.createGunzip() : null;
  const extract = tar.extract();
  const fail = (err: Error) => extract.destroy(err);
  source.on('error', fail);
  gunzip?.on('error', fail);
  (gunzip ? source.pipe(gunzip) : source).pipe(extract as unknown as NodeJS.WritableStream);
  const onAbort = () => extract.destroy(abortError(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const entry of extract as unknown as AsyncIterable<ArchiveEntry>) {
      yield entry;
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
