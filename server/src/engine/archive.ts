/**
 * The archive writer: archiver('tar') → (gzip, for `tar.gz`) → sha256 + byte count → the file
 * `<outFile>.partial`. On success the file is fsynced, closed and renamed to `outFile`, so a
 * half-written archive never carries the final name. On any error or abort every stream is
 * destroyed and the partial file removed: no archive is left behind.
 *
 * Entries are appended one at a time, each a stream with its `stats` (size), or a small file
 * already read (read-ahead.ts): archiver's tar plugin buffers a stream appended without a size
 * whole in memory.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import archiver from 'archiver';
import { PRIVATE_FILE_MODE, ZLIB_CHUNK } from './constants';
import { HashStream } from './hash-stream';
import type { SourceFile } from './files';
import type { ArchiveFormat } from './types';

const noop = () => undefined;
const READ_CHUNK = 256 * 1024;

export class ArchiveWriter {
  readonly partial: string;
  private readonly archive: archiver.Archiver;
  private readonly gzip: zlib.Gzip | null;
  private readonly hasher = new HashStream();
  private readonly out: fs.WriteStream;
  private readonly done: Promise<void>;
  private current: Readable | null = null;
  private pending: { name: string; resolve: () => void } | null = null;
  private closed = false;

  private constructor(
    readonly outFile: string,
    private readonly handle: fs.promises.FileHandle,
    format: ArchiveFormat,
  ) {
    this.partial = `${outFile}.partial`;
    this.archive = archiver('tar');
    this.gzip = format === 'tar.gz' ? zlib.createGzip({ chunkSize: ZLIB_CHUNK }) : null;
    // The stream writes through the FileHandle itself, never its descriptor number: a stream given
    // the number closes it when destroyed, then handle.close() closed that number again, which by
    // then could be another file of the process (seen: the site's SQLite journal, "disk I/O error").
    // Closing either one now closes the file once. autoClose off: finalize fsyncs before the close.
    this.out = fs.createWriteStream(this.partial, { fd: handle, autoClose: false });
    const stages: NodeJS.ReadWriteStream[] = [this.archive as unknown as NodeJS.ReadWriteStream];
    if (this.gzip) stages.push(this.gzip);
    this.done = pipeline([...stages, this.hasher, this.out] as any);
    this.done.catch(noop); // observed by append/finalize/abort
    // Errors reach us through `done`; archiver may still emit one after an abort tore the
    // pipeline down, which must not become an uncaught exception.
    this.archive.on('error', noop);
    guardEntrySinks(this.archive);
    this.archive.on('entry', (data) => {
      const p = this.pending;
      if (p && data.name === p.name) {
        this.pending = null;
        p.resolve();
      }
    });
  }

  /** Opens `<outFile>.partial` (fails at once if its directory does not exist). */
  static async open(outFile: string, format: ArchiveFormat): Promise<ArchiveWriter> {
    const handle = await fs.promises.open(`${outFile}.partial`, 'w', PRIVATE_FILE_MODE);
    return new ArchiveWriter(outFile, handle, format);
  }

  /** Streams a file from disk into the archive; resolves with its sha256 once it is written. */
  async appendFile(file: SourceFile, onBytes?: (n: number) => void): Promise<string> {
    const size = file.stats.size;
    // Read exactly the size the header announces: a file growing meanwhile is cut at its stat size
    // (a file shrinking makes tar-stream fail the entry, and the backup with it).
    const source: Readable = size > 0 ? fs.createReadStream(file.abs, { start: 0, end: size - 1, highWaterMark: READ_CHUNK }) : Readable.from([]);
    const hasher = new HashStream(onBytes);
    const piped = pipeline(source, hasher);
    piped.catch(noop);
    this.current = source;
    try {
      await Promise.all([piped, this.append(hasher, { name: file.name, stats: file.stats })]);
    } finally {
      this.current = null;
    }
    return hasher.digest();
  }

  /** Appends a file already read (read-ahead.ts); resolves with its sha256 once it is written. */
  async appendRead(file: SourceFile, content: Buffer, onBytes?: (n: number) => void): Promise<string> {
    await this.append(content, { name: file.name, stats: file.stats });
    onBytes?.(content.length);
    return createHash('sha256').update(content).digest('hex');
  }

  /** Appends an in-memory entry (the manifest). */
  async appendBuffer(name: string, data: Buffer, date: Date): Promise<void> {
    await this.append(data, { name, date });
  }

  /** Appends one entry, private to the site's owner (mode 0600); resolves once the archiver has taken it. */
  private async append(source: Readable | Buffer, data: { name: string; stats?: fs.Stats; date?: Date }): Promise<void> {
    const entry = this.waitEntry(data.name);
    this.archive.append(source, { ...data, mode: PRIVATE_FILE_MODE } as archiver.EntryData);
    await Promise.race([entry, this.failed()]);
  }

  private waitEntry(name: string): Promise<void> {
    if (this.pending) throw new Error(`internal: entry ${this.pending.name} still pending`);
    return new Promise<void>((resolve) => {
      this.pending = { name, resolve };
    });
  }

  /** Rejects when the output pipeline fails; never resolves otherwise (used in races). */
  private failed(): Promise<never> {
    return this.done.then(() => new Promise<never>(noop));
  }

  /** Ends the archive, fsyncs, closes and renames it into place. */
  async finalize(): Promise<{ file: string; size: number; sha256: string }> {
    await Promise.all([this.archive.finalize(), this.done]);
    await this.handle.sync();
    this.closed = true;
    // The stream holds the handle open until it is itself closed.
    this.out.destroy();
    await this.handle.close();
    await fs.promises.rename(this.partial, this.outFile);
    await syncDir(path.dirname(this.outFile));
    return { file: this.outFile, size: this.hasher.bytes, sha256: this.hasher.digest() };
  }

  /** Destroys everything and removes the partial file. Safe to call more than once. */
  async abort(err?: Error): Promise<void> {
    const reason = err ?? new Error('aborted');
    dropQueuedEntries(this.archive);
    this.current?.destroy(reason);
    for (const s of [this.archive as unknown as Readable, this.gzip, this.hasher, this.out]) s?.destroy(reason);
    await this.done.catch(noop);
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(noop);
    }
    await fs.promises.rm(this.partial, { force: true });
  }
}

/**
 * archiver pipes each appended stream into a tar-stream entry sink with `pipe()`, which re-throws
 * a sink error when the sink has no other 'error' listener. When an abort destroys the archive
 * mid-entry, the sink errors and that would be an uncaught exception. The error still reaches us
 * (a destroyed sink destroys the pack, then archiver, then our pipeline); this only stops the
 * re-throw.
 */
function guardEntrySinks(archive: archiver.Archiver): void {
  const engine = (archive as any)._module?.engine;
  if (!engine || typeof engine.entry !== 'function') return;
  const entry = engine.entry.bind(engine);
  engine.entry = (...args: unknown[]) => {
    const sink = entry(...args);
    sink?.on?.('error', noop);
    return sink;
  };
}

/**
 * The archiver takes a queued entry on a later turn; after an abort that is into its destroyed
 * tar packer, which throws ("already finalized or destroyed") where no one can catch it: seen in
 * CI, an entry appended just before the abort. archiver's own abort() marks it aborted (queued
 * entries are then skipped) and drops its queues, then unpipes its tar plugin, which fails with
 * tar-stream 3 (no unpipe): so the first two steps here, without the third.
 *
 * Marked aborted, archiver also shuts down when the entry in flight ends (its sink destroyed with
 * the packer), and that shutdown unpipes the tar plugin too: a TypeError thrown from a stream
 * callback, which would end Strapi's process (seen in CI, 71 of 80 aborts in a probe). The plugin's
 * unpipe is made a no-op: the archive is being torn down, and nothing is piped that must be undone.
 */
function dropQueuedEntries(archive: archiver.Archiver): void {
  const internals = archive as unknown as {
    _state?: { aborted?: boolean };
    _queue?: { kill(): void };
    _statQueue?: { kill(): void };
    _module?: { unpipe?: () => unknown; engine?: { unpipe?: unknown } };
  };
  if (internals._module && typeof internals._module.engine?.unpipe !== 'function') internals._module.unpipe = noop;
  if (internals._state) internals._state.aborted = true;
  internals._queue?.kill();
  internals._statQueue?.kill();
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await fs.promises.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // ignore
  }
}
