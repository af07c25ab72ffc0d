import { expiredArchives } from '../../server/src/services/retention';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.parse('2026-11-24T12:00:00Z');
/** Newest first, one a day. */
const daily = (n: number) => Array.from({ length: n }, (_, i) => ({ id: n - i, finishedAt: new Date(now - i * DAY - 1000).toISOString() }));

describe('expiredArchives', () => {
  it('keeps everything when no rule is set, or a rule is 0', () => {
    expect(expiredArchives(daily(5), { retainCount: null, retainDays: null }, now)).toEqual([]);
    expect(expiredArchives(daily(5), { retainCount: 0, retainDays: 0 }, now)).toEqual([]);
  });

  it('keeps the newest N', () => {
    expect(expiredArchives(daily(5), { retainCount: 2, retainDays: null }, now)).toEqual([
      { id: 3, reason: 'the profile keeps its last 2' },
      { id: 2, reason: 'the profile keeps its last 2' },
      { id: 1, reason: 'the profile keeps its last 2' },
    ]);
  });

  it('keeps N days, and either rule removes an archive', () => {
    expect(expiredArchives(daily(5), { retainCount: null, retainDays: 2 }, now).map((e) => e.id)).toEqual([3, 2, 1]);
    expect(expiredArchives(daily(5), { retainCount: 4, retainDays: 3 }, now)).toEqual([
      { id: 2, reason: 'the profile keeps 3 days of backups' },
      { id: 1, reason: 'the profile keeps its last 4' },
    ]);
  });

  it('never removes the newest archive, however old', () => {
    const old = [{ id: 9, finishedAt: new Date(now - 30 * DAY).toISOString() }];
    expect(expiredArchives(old, { retainCount: null, retainDays: 1 }, now)).toEqual([]);
  });
});
