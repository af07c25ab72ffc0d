/** The admin panel's pure pieces: durations, relative times, and the profile form's round trip. */
import { emptyForm, fieldErrors, toForm, toInput } from '../../admin/src/components/profile/form';
import { formatDuration, relativeTime } from '../../admin/src/utils/format';

describe('admin formatting', () => {
  const start = '2026-11-23T10:00:00.000Z';
  it.each([
    ['2026-11-23T10:00:42.400Z', '42 s'],
    ['2026-11-23T10:01:35.000Z', '1 min 35 s'],
    ['2026-11-23T12:05:00.000Z', '2 h 5 min'],
  ])('formatDuration to %s is %s', (end, expected) => {
    expect(formatDuration(start, end)).toBe(expected);
  });

  it('formatDuration: nothing before a job starts, the time so far while it runs', () => {
    expect(formatDuration(null, null)).toBeNull();
    expect(formatDuration(start, null, Date.parse(start) + 5000)).toBe('5 s');
  });

  it('relativeTime picks the largest unit that fits', () => {
    const now = Date.parse(start);
    expect(relativeTime('2026-11-23T07:00:00.000Z', now)).toEqual({ value: -3, unit: 'hour' });
    expect(relativeTime('2026-11-23T09:59:50.000Z', now)).toEqual({ value: -10, unit: 'second' });
    expect(relativeTime('2026-11-20T10:00:00.000Z', now)).toEqual({ value: -3, unit: 'day' });
  });
});

describe('profile form', () => {
  it('a new profile starts from the server defaults', () => {
    const result = toInput({ ...emptyForm(), name: 'Nightly' });
    expect(result).toEqual({
      input: expect.objectContaining({ name: 'Nightly', queueBehavior: 'cancel', maxQueueDepth: 3, timeoutMinutes: 30, excludeTables: [], notify: null, retainCount: null }),
    });
    // isDefault is only ever sent to take the flag, never to drop it.
    expect('isDefault' in (result as { input: object }).input).toBe(false);
  });

  it('round-trips a profile: tables one per line, notify as JSON', () => {
    const profile = {
      ...emptyForm(),
      id: 1,
      documentId: 'abc',
      description: null,
      excludeTables: ['logs', 'audit'],
      schedule: '0 3 * * *',
      timezone: 'Europe/Paris',
      retainCount: 7,
      retainDays: null,
      notify: { onFailure: true },
      isDefault: true,
      maxQueueDepth: 5,
      timeoutMinutes: 60,
    };
    const form = toForm(profile as any);
    expect(form).toMatchObject({ excludeTables: 'logs\naudit', notify: '{\n  "onFailure": true\n}', description: '', retainCount: 7, retainDays: undefined });
    expect(toInput(form)).toEqual({
      input: expect.objectContaining({ excludeTables: ['logs', 'audit'], notify: { onFailure: true }, isDefault: true, retainCount: 7, retainDays: null, schedule: '0 3 * * *' }),
    });
  });

  it('says when notify is not JSON, and maps server errors to fields', () => {
    expect(toInput({ ...emptyForm(), notify: '{ nope' })).toEqual({ errors: { notify: 'notify must be valid JSON' } });
    expect(fieldErrors({ errors: [{ path: ['schedule'], message: 'bad cron' }, { path: [], message: 'whole body' }] })).toEqual({ schedule: 'bad cron' });
    expect(fieldErrors(undefined)).toEqual({});
  });
});
