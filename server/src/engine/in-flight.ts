/**
 * Asynchronous operations started without waiting for them to end, at most `limit` at a time, so
 * the caller prepares the next one meanwhile (restore: a file's next batch is read and hashed while
 * the last is written, and small files are written while the next entries are read; a table's next
 * rows are cut while the last are inserted). The first failure is kept for every later `start` and
 * `finish`, which throw it: never an unhandled rejection in between.
 */
export class InFlight {
  /** The operations running, each settling (never rejecting) when it ends. */
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit = 1) {}

  /** Waits until fewer than `limit` run (throwing the first failure), then starts `op`. */
  async start(op: () => Promise<unknown>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.throwFailure();
    const ended: Promise<void> = new Promise<unknown>((resolve) => resolve(op())).then(
      () => {
        this.running.delete(ended);
      },
      (error) => {
        this.running.delete(ended);
        this.failure ??= { error };
      },
    );
    this.running.add(ended);
  }

  /** Waits for every operation running; throws the first failure. */
  async finish(): Promise<void> {
    await this.settled();
    this.throwFailure();
  }

  /** Waits for them to end whatever their outcome: before closing or removing what they use. */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }
}
