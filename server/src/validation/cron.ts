/**
 * Schedules are checked with croner, the library under Strapi's own cron, so an expression
 * accepted here is one `strapi.cron` runs.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- croner's types are not a dependency of ours; typed here
const { Cron } = require('croner') as { Cron: new (pattern: string, options: Record<string, unknown>) => { stop(): void } };

/** Why `timezone` is not an IANA time zone, or null when it is. */
export const timezoneProblem = (timezone: string): string | null => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    return `timezone “${timezone}” is not a known IANA time zone (e.g. Europe/Paris, UTC)`;
  }
};

/**
 * Fire times looked at for the shortest gap: any sub-minute pattern shows within its first minute,
 * and a few hundred runs cover days of the patterns people write for longer minimums.
 */
const GAP_SAMPLE_RUNS = 500;

const describeGap = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/**
 * Why `expression` (in `timezone`) cannot be a profile's schedule, or null when it can: not a
 * valid cron expression, or firing more often than `minIntervalSeconds` (a per-second rule on a
 * `cancel` profile would write a cancelled record for every busy second: 86,000 a day).
 */
export const cronProblem = (expression: string, timezone?: string | null, minIntervalSeconds = 60): string | null => {
  let runs: Date[];
  try {
    nextRuns(expression, timezone, 1);
    // Gaps are measured in UTC: croner is ~50 times slower with a time zone (400 ms for 500 runs
    // here), and a zone only moves fire times around its daylight-saving changes.
    runs = nextRuns(expression, null, GAP_SAMPLE_RUNS);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `schedule “${expression}” is not a valid cron expression (${detail})`;
  }
  const gaps = runs.slice(1).map((run, i) => run.getTime() - runs[i].getTime());
  const shortest = Math.min(...gaps);
  if (gaps.length > 0 && shortest < minIntervalSeconds * 1000) {
    return (
      `schedule “${expression}” fires as often as every ${describeGap(shortest)}; a schedule may fire at most once every ` +
      `${describeGap(minIntervalSeconds * 1000)} (config/plugins → backup.config.schedules.minIntervalSeconds)`
    );
  }
  return null;
};

/**
 * The next `count` fire times of `expression` in `timezone` (the server's zone when empty), as
 * croner computes them for Strapi's cron; what the profile editor shows while one types.
 */
export const nextRuns = (expression: string, timezone: string | null | undefined, count: number): Date[] => {
  const job = new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) }) as unknown as { nextRuns(n: number): Date[]; stop(): void };
  try {
    return job.nextRuns(count);
  } finally {
    job.stop();
  }
};
