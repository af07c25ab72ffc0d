/**
 * Small files read ahead of the archive. The archive takes its entries one at a time, and a file
 * streamed in costs thread-pool round trips (open, read, close) that nothing else overlaps: on a
 * site of many small uploads, most of the file time went to waiting (see SMALL_FILE_BYTES). Here
 * the next READ_AHEAD_FILES files are read while earlier ones are archived; larger files are left
 * to stream (null). The reads share libuv's thread pool with the database half's gzip; measured,
 * the backup still gained (README, Performance).
 */
import fs from 'node:fs';
import { READ_AHEAD_FILES, SMALL_FILE_BYTES } from './constants';
import type { SourceFile } from './files';

/** Yields each file, in order, with its content when it is small, else null. Stop early by breaking out. */
export async function* readAhead(files: SourceFile[]): AsyncGenerator<[SourceFile, Buffer | null]> {
  const ahead: Promise<Buffer | null>[] = [];
  let next = 0;
  for (const file of files) {
    while (ahead.length < READ_AHEAD_FILES && next < files.length) {
      const later = files[next++];
      const read = later.stats.size <= SMALL_FILE_BYTES ? readListedSize(later) : Promise.resolve(null);
      // Observed when its turn comes; a backup that stops first leaves it unobserved otherwise.
      read.catch(() => undefined);
      ahead.push(read);
    }
    yield [file, await ahead.shift()!];
  }
}

/**
 * The file's first `stats.size` bytes, the size its tar header announces, as the streamed path
 * reads them: a file grown since it was listed is cut there, one that shrank fails the backup.
 */
export async function readListedSize(file: SourceFile): Promise<Buffer> {
  const size = file.stats.size;
  if (size === 0) return Buffer.alloc(0);
  const content = Buffer.allocUnsafe(size);
  const handle = await fs.promises.open(file.abs, 'r');
  try {
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(content, read, size - read, read);
      if (bytesRead === 0) throw new Error(`${file.name} shrank from ${size} to ${read} bytes while it was being archived`);
      read += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return content;
}
