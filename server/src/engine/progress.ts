/**
 * Maps work done to one percent that never decreases. The database dump and the file streaming run
 * at the same time, so the percent is a weighted sum of each part's fraction:
 * database = rows dumped / estimated rows, uploads and files = bytes streamed / bytes to stream,
 * finalize = bytes of staged table entries copied into the archive. Events are throttled (callers
 * get at most one per PROGRESS_INTERVAL_MS, plus one as each step begins) and the final 100 is
 * always sent.
 */
import { PROGRESS_INTERVAL_MS } from './constants';
import type { ProgressStep } from './types';

interface Part {
  weight: number;
  done: number;
  total: number;
}

/**
 * Used by backup (steps database / uploads / files / finalize) and restore (database / uploads /
 * files / done): `S` is the step names, `finalStep` the one the final 100 is reported under.
 */
export class ProgressReporter<S extends string = ProgressStep> {
  private readonly parts = new Map<S, Part>();
  private lastPercent = 0;
  private lastEmit = 0;
  private step: S;
  private finished = false;
  private readonly begun = new Set<S>();

  constructor(
    private readonly onProgress: ((p: { step: S; percent: number; detail?: string }) => void) | undefined,
    /** Relative weights of the steps present in this run (absent steps are simply not listed). */
    weights: Partial<Record<S, number>>,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly finalStep = 'finalize' as S,
  ) {
    const sum = (Object.values(weights) as (number | undefined)[]).reduce<number>((a, b) => a + (b ?? 0), 0) || 1;
    for (const [step, w] of Object.entries(weights) as [S, number][]) {
      this.parts.set(step, { weight: w / sum, done: 0, total: 0 });
    }
    this.step = (Object.keys(weights)[0] as S) ?? finalStep;
  }

  setTotal(step: S, total: number): void {
    const p = this.parts.get(step);
    if (p) p.total = Math.max(0, total);
  }

  /** Adds work done to a step; `detail` is shown as is (e.g. the table being dumped). */
  add(step: S, amount: number, detail?: string): void {
    const p = this.parts.get(step);
    if (p) p.done += amount;
    this.step = step;
    // A step's first work is reported at once (the phase shown changes), then throttled.
    const first = !this.begun.has(step);
    this.begun.add(step);
    this.emit(detail, first);
  }

  /** Marks a step complete (its fraction becomes 1 even if estimates were off). */
  complete(step: S, detail?: string): void {
    const p = this.parts.get(step);
    if (p) p.done = p.total = Math.max(p.total, p.done, 1);
    this.emit(detail);
  }

  /** Sends the final 100, once, unthrottled. */
  finish(detail?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.lastPercent = 100;
    this.onProgress?.({ step: this.finalStep, percent: 100, detail });
  }

  get percent(): number {
    return this.lastPercent;
  }

  private compute(): number {
    let f = 0;
    for (const p of this.parts.values()) {
      const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      f += p.weight * frac;
    }
    // 100 is reserved for the end: the archive is not complete until renamed.
    return Math.min(99, Math.floor(f * 100));
  }

  private emit(detail?: string, now = false): void {
    if (this.finished || !this.onProgress) return;
    const percent = Math.max(this.lastPercent, this.compute());
    this.lastPercent = percent;
    const t = this.now();
    if (!now && t - this.lastEmit < this.intervalMs) return;
    this.lastEmit = t;
    this.onProgress({ step: this.step, percent, detail });
  }
}
