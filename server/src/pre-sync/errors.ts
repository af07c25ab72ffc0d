/** The pre-sync backups' own errors (the boot's hooks run before Strapi's services do). */

/** The hook gave up waiting for a job running elsewhere; recorded as `busy`, like a rejected trigger. */
export class WaitedTooLong extends Error {
  override readonly name = 'WaitedTooLong';
}
