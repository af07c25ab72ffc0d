/** The pure parts of the scheduler: fire keys and recognising exactly the unique violation. */
import { isIdempotencyConflict } from '../../server/src/services/queue';
import { idempotencyKeyOf, jobName } from '../../server/src/services/scheduler';
import { eventOf } from '../../server/src/services/notifier';

describe('scheduler keys', () => {
  it('names one fire the same on every instance, to the second', () => {
    expect(idempotencyKeyOf('abc', new Date('2026-11-23T03:00:00.999Z'))).toBe('schedule:abc:2026-11-23T03:00:00.000Z');
    expect(idempotencyKeyOf('abc', new Date('2026-11-23T03:00:00.001Z'))).toBe(idempotencyKeyOf('abc', new Date('2026-11-23T03:00:00.900Z')));
    expect(jobName('abc')).toBe('backup-schedule-abc');
  });
});

describe('isIdempotencyConflict', () => {
  const error = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? '')), props);

  it('recognises the unique violation of each dialect on the idempotency key', () => {
    expect(isIdempotencyConflict(error({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: backup_records.idempotency_key' }))).toBe(true);
    expect(
      isIdempotencyConflict(error({ code: '23505', message: 'duplicate key value violates unique constraint "backup_records_idempotency_key_unique"' })),
    ).toBe(true);
    expect(isIdempotencyConflict(error({ code: 'ER_DUP_ENTRY', message: "Duplicate entry 'k' for key 'backup_records_idempotency_key_unique'" }))).toBe(true);
    expect(
      isIdempotencyConflict(new Error('wrapped', { cause: error({ code: '23505', message: 'x', constraint: 'backup_records_idempotency_key_unique' }) })),
    ).toBe(true);
  });

  it('leaves every other error alone', () => {
    expect(isIdempotencyConflict(error({ code: '23505', message: 'duplicate key value violates unique constraint "backup_profiles_pkey"' }))).toBe(false);
    expect(isIdempotencyConflict(error({ code: 'SQLITE_BUSY', message: 'idempotency_key' }))).toBe(false);
    expect(isIdempotencyConflict(new Error('connection lost'))).toBe(false);
    expect(isIdempotencyConflict(null)).toBe(false);
  });
});

describe('webhook event names', () => {
  it('maps a record to its event', () => {
    expect(eventOf({ kind: 'backup', status: 'running' })).toBe('backup.started');
    expect(eventOf({ kind: 'restore', status: 'cancelled' })).toBe('restore.cancelled');
  });
});
