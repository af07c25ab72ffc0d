/**
 * Schedules are checked with croner, the library under Strapi's own cron, so an expression
 * accepted here is one `strapi.cron` runs.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
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

/** Why `expression` (in `timezone`) is not a valid cron expression, or null when it is. */
export const cronProblem = (expression: string, timezone?: string | null): string | null => {
  try {
    const job = new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) });
    job.stop();
    return null;
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `schedule “${expression}” is not a valid cron expression (${detail})`;
  }
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
