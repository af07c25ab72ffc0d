/**
 * A pass-through stream that computes the sha256 and byte count of what flows through it, so
 * every checksum is computed while the data is written or read once, never in a second pass.
 * With `hash` false it only counts (a caller that has nothing to compare the digest with).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class HashStream extends Transform {
  private readonly hash: Hash | null;
  private hex: string | null = null;
  bytes = 0;

  constructor(
    private readonly onBytes?: (n: number) => void,
    hash = true,
  ) {
    super();
    this.hash = hash ? createHash('sha256') : null;
  }

  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    if (this.onBytes) this.onBytes(chunk.length);
    cb(null, chunk);
  }

  _flush(cb: TransformCallback): void {
    this.digest();
    cb();
  }

  /** The hex digest ('' when not hashing); only valid once the stream has ended. */
  digest(): string {
    this.hex ??= this.hash ? this.hash.digest('hex') : '';
    return this.hex;
  }
}

/** Throws the signal's reason (an AbortError) when it is aborted. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw abortError(signal);
  }
}

export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error(reason instanceof Error ? reason.message : 'The backup was aborted');
  err.name = 'AbortError';
  return err;
}
