/**
 * The queue's decisions without a database (tests/integration/queue.test.ts proves, on every
 * dialect, that the locking transaction feeds them the truth).
 */
import { decideBackup, decideRestore, nextToStart, type BackupFacts } from '../../server/src/services/queue-rules';
import type { BackupRecord } from '../../shared/contracts';

let nextId = 1;
const job = (status: 'queued' | 'running', extra: Partial<BackupRecord> = {}) =>
  ({ id: nextId++, kind: 'backup', status, requestedBy: null, startedAt: status === 'running' ? '2026-12-02T10:15:00.000Z' : null, ...extra }) as BackupRecord;

const facts = (extra: Partial<BackupFacts>): BackupFacts => ({
  profile: { name: 'Nightly', queueBehavior: 'queue', maxQueueDepth: 2 },
  kind: 'backup',
  requestedBy: null,
  active: [],
  restore: null,
  ...extra,
});
const cancelProfile = { name: 'Nightly', queueBehavior: 'cancel' as const, maxQueueDepth: 2 };

describe('decideBackup', () => {
  it('starts at once when nothing of the profile is active and no restore is pending', () => {
    expect(decideBackup(facts({}))).toEqual({ accepted: true, position: 0, message: 'Backup of “Nightly” started.' });
  });

  it('a cancel profile refuses while a job runs or is about to start, naming it', () => {
    const running = job('running');
    expect(decideBackup(facts({ profile: cancelProfile, active: [running] }))).toEqual({
      accepted: false,
      reason: 'busy',
      record: running,
      message: `A backup of “Nightly” is already running (record ${running.id}, started 10:15). Wait for it to finish or cancel it.`,
    });
    const queued = job('queued');
    expect(decideBackup(facts({ profile: cancelProfile, active: [queued] }))).toMatchObject({
      reason: 'busy',
      record: queued,
      message: expect.stringContaining('is about to start'),
    });
  });

  it('a queue profile queues behind the running job, FIFO positions, up to maxQueueDepth waiting', () => {
    const running = job('running');
    expect(decideBackup(facts({ active: [running] }))).toMatchObject({
      accepted: true,
      position: 1,
      message: expect.stringContaining('position 1 in the queue'),
    });
    expect(decideBackup(facts({ active: [running, job('queued')] }))).toMatchObject({ accepted: true, position: 2 });
    expect(decideBackup(facts({ active: [running, job('queued'), job('queued')] }))).toEqual({
      accepted: false,
      reason: 'queue-full',
      record: running,
      message: 'The queue for “Nightly” is full (2 waiting). Try again when a backup has finished.',
    });
  });

  it('a running job does not count as waiting: the head is the running one even when older jobs wait', () => {
    // A queued job older than the running one (a restore's backups): the head is still the running job.
    const older = job('queued');
    const running = job('running');
    expect(decideBackup(facts({ active: [older, running] }))).toMatchObject({ accepted: true, position: 2 });
  });

  it('one requester cannot stack the same kind of job while it waits, but another requester can', () => {
    const mine = job('queued', { requestedBy: 7 });
    const active = [job('running'), mine];
    expect(decideBackup(facts({ active, requestedBy: 7 }))).toMatchObject({ accepted: false, reason: 'duplicate', record: mine });
    expect(decideBackup(facts({ active, requestedBy: 8 }))).toMatchObject({ accepted: true, position: 2 });
    // Their job already running is not a duplicate: a second one may wait behind it.
    expect(decideBackup(facts({ active: [job('running', { requestedBy: 7 })], requestedBy: 7 }))).toMatchObject({ accepted: true, position: 1 });
  });

  it('a pending restore refuses a cancel profile and queues a queue profile behind it', () => {
    const restore = job('running', { kind: 'restore' });
    expect(decideBackup(facts({ profile: cancelProfile, restore }))).toMatchObject({
      accepted: false,
      reason: 'busy',
      record: restore,
      message: expect.stringContaining('A restore of the site is running'),
    });
    expect(decideBackup(facts({ restore }))).toEqual({
      accepted: true,
      position: 1,
      message: 'Backup queued — will start when the restore of the site completes (position 1 in the queue).',
    });
  });
});

describe('decideRestore', () => {
  it('one restore pending at a time on the whole site', () => {
    const pending = job('queued', { kind: 'restore' });
    expect(decideRestore({ restore: pending, runningCount: 0 })).toMatchObject({
      accepted: false,
      reason: 'restore-pending',
      record: pending,
      message: expect.stringContaining('already pending'),
    });
  });

  it('starts when nothing runs, else waits for every running job', () => {
    expect(decideRestore({ restore: null, runningCount: 0 })).toEqual({ accepted: true, position: 0, message: 'Restore started.' });
    expect(decideRestore({ restore: null, runningCount: 2 })).toMatchObject({
      accepted: true,
      position: 1,
      message: expect.stringContaining('2 running jobs complete'),
    });
  });
});

describe('nextToStart', () => {
  it('only the oldest active job, and only when it is queued', () => {
    const oldest = job('queued');
    expect(nextToStart([oldest, job('queued')])).toBe(oldest);
    expect(nextToStart([job('running'), job('queued')])).toBeNull();
    expect(nextToStart([])).toBeNull();
  });
});
