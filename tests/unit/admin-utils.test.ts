/** The admin panel's pure pieces: durations, relative times, and the profile form's round trip. */
import { defaultNotifyForm, emptyForm, fieldErrors, toForm, toInput } from '../../admin/src/components/profile/form';
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
      input: expect.objectContaining({
        name: 'Nightly',
        queueBehavior: 'cancel',
        maxQueueDepth: 3,
        timeoutMinutes: 30,
        excludeTables: [],
        notify: null,
        retainCount: null,
      }),
    });
    // isDefault is only ever sent to take the flag, never to drop it.
    expect('isDefault' in (result as { input: object }).input).toBe(false);
  });

  it('round-trips a profile: tables one per line, notify addresses one per line', () => {
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
      notify: { on: ['failed', 'completed'], requester: false, emails: ['ops@example.com', 'dev@example.com'], subject: 'S {status}', body: 'B {error}' },
      isDefault: true,
      maxQueueDepth: 5,
      timeoutMinutes: 60,
    };
    const form = toForm(profile as any);
    expect(form).toMatchObject({
      excludeTables: 'logs\naudit',
      notify: { on: ['failed', 'completed'], requester: false, emails: 'ops@example.com\ndev@example.com', subject: 'S {status}', body: 'B {error}' },
      description: '',
      retainCount: 7,
      retainDays: undefined,
    });
    expect(toInput(form)).toEqual({
      input: expect.objectContaining({
        excludeTables: ['logs', 'audit'],
        notify: { on: ['failed', 'completed'], requester: false, emails: ['ops@example.com', 'dev@example.com'], subject: 'S {status}', body: 'B {error}' },
        isDefault: true,
        retainCount: 7,
        retainDays: null,
        schedule: '0 3 * * *',
      }),
    });
  });

  it('reads a notify stored before its shape as none, splits addresses on commas too, and maps server errors to fields', () => {
    expect(toForm({ ...emptyForm(), id: 1, documentId: 'abc', description: null, excludeTables: [], notify: { onFailure: true } } as any).notify).toBeNull();
    const notify = { ...defaultNotifyForm(), emails: ' a@example.com, b@example.com;\n\n' };
    expect(toInput({ ...emptyForm(), name: 'x', notify })).toEqual({
      input: expect.objectContaining({ notify: { ...notify, emails: ['a@example.com', 'b@example.com'] } }),
    });
    expect(defaultNotifyForm()).toMatchObject({ on: ['failed'], requester: true, emails: '' });
    expect(
      fieldErrors({
        errors: [
          { path: ['schedule'], message: 'bad cron' },
          { path: [], message: 'whole body' },
        ],
      }),
    ).toEqual({ schedule: 'bad cron' });
    expect(fieldErrors(undefined)).toEqual({});
  });
});
