/**
 * One asynchronous operation at a time, started without waiting for it to end, so the caller
 * prepares the next one meanwhile (restore: a file's next batch is read and hashed while the last
 * is written; a table's next rows are cut while the last are inserted). A failure is kept for the
 * next `start` or `finish`, which throw it: never an unhandled rejection in between.
 */
export class OneInFlight {
  private last: Promise<unknown> = Promise.resolve();

  /** Waits for the operation in flight (throwing its failure), then starts `op`. */
  async start(op: () => Promise<unknown>): Promise<void> {
    await this.last;
    this.last = op();
    this.last.catch(() => undefined);
  }

  /** Waits for the operation in flight; throws its failure. */
  async finish(): Promise<void> {
    await this.last;
  }

  /** Waits for it to end whatever its outcome: before closing what it uses. */
  async settled(): Promise<void> {
    await this.last.catch(() => undefined);
  }
}
