/** Which schedules a profile may have: valid croner rules that fire at most once per minimum interval. */
import { cronProblem } from '../../server/src/validation/cron';

describe('cronProblem', () => {
  it('accepts the schedules people write, with 5 fields or 6 with a fixed second', () => {
    for (const rule of ['* * * * *', '*/5 * * * *', '0 3 * * *', '0 0 3 * * *', '30 15 2 * * 1-5', '@daily']) {
      expect({ rule, problem: cronProblem(rule, 'Europe/Paris') }).toEqual({ rule, problem: null });
    }
  });

  it('refuses a rule that fires more than once a minute, saying how often and where the minimum is set', () => {
    expect(cronProblem('* * * * * *')).toBe(
      'schedule “* * * * * *” fires as often as every 1 s; a schedule may fire at most once every 1 min (config/plugins → backup.config.schedules.minIntervalSeconds)',
    );
    expect(cronProblem('*/30 * * * * *')).toMatch(/fires as often as every 30 s/);
    // Twice a day, 30 seconds apart: the shortest gap counts, not the average.
    expect(cronProblem('0,30 0 3 * * *')).toMatch(/fires as often as every 30 s/);
  });

  it('applies a longer minimum from the server config', () => {
    expect(cronProblem('*/30 * * * *', null, 3600)).toBe(
      'schedule “*/30 * * * *” fires as often as every 30 min; a schedule may fire at most once every 60 min (config/plugins → backup.config.schedules.minIntervalSeconds)',
    );
    expect(cronProblem('0 * * * *', null, 3600)).toBeNull();
    // 03:00 and 03:10 every day: fine most of the day, but 10 minutes apart once a day.
    expect(cronProblem('0,10 3 * * *', null, 3600)).toMatch(/every 10 min/);
  });

  it('accepts a shorter minimum when the server config sets one (a test of per-second fires)', () => {
    expect(cronProblem('* * * * * *', null, 1)).toBeNull();
    expect(cronProblem('*/30 * * * * *', null, 60)).toMatch(/at most once every 1 min/);
  });

  it('still says when a rule is not a cron expression at all', () => {
    expect(cronProblem('every night')).toMatch(/^schedule “every night” is not a valid cron expression \(/);
    expect(cronProblem('0 3 * * *', 'Mars/Olympus')).toMatch(/not a valid cron expression/);
  });
});
