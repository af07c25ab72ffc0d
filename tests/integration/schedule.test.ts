/**
 * Profile schedules on a real app, on every dialect: a schedule fired by several real processes
 * leaves exactly one record per fire (a real UNIQUE index on the idempotency key), rejected fires
 * leave a visible `cancelled` record, and changing a profile re-registers its job without a restart.
 * The in-process app keeps its worker off (BACKUP_WORKER=false); the worker processes run the jobs.
 */
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { servicesOf } from '../helpers/strapi-app';
import { withWorkerApp } from '../helpers/worker-app';
import { isIdempotencyConflict } from '../../server/src/services/queue';
import type { EnqueueResult } from '../../server/src/services/queue-rules';
import { found, refused } from '../helpers/results';

const RECORD = 'plugin::backup.record';
const PROFILE = 'plugin::backup.profile';

/** `schedule:<documentId>:<ISO fire time>` → the fire time in ms. */
const fireTimeOf = (key: string) => Date.parse(key.split(':').slice(2).join(':'));

describe.each(dialectsUnderTest())('schedules on %s', (dialect) => {
  const fixture = withWorkerApp(dialect, 'schedule', { BACKUP_SCHEDULE_MIN_INTERVAL_SECONDS: '1' });
  const service = servicesOf(() => fixture.app.strapi);
  const recordsOf = (profileId: number): Promise<any[]> =>
    fixture.app.strapi.db.query(RECORD).findMany({ where: { profile: { id: profileId } }, orderBy: [{ id: 'asc' }] });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('has a real unique index on the idempotency key; NULL keys stay allowed', async () => {
    const knex = fixture.app.strapi.db.connection;
    const row = (documentId: string, key: string | null) => ({
      document_id: documentId,
      kind: 'backup',
      status: 'cancelled',
      trigger: 'api',
      idempotency_key: key,
    });
    await knex('backup_records').insert(row('idx-a', 'idx-key'));
    const error = await knex('backup_records')
      .insert(row('idx-b', 'idx-key'))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).not.toBeNull();
    expect(isIdempotencyConflict(error)).toBe(true);
    await knex('backup_records').insert(row('idx-c', null));
    await knex('backup_records').insert(row('idx-d', null));
    const [{ n }] = await knex('backup_records').whereIn('document_id', ['idx-a', 'idx-b', 'idx-c', 'idx-d']).count({ n: '*' });
    expect(Number(n)).toBe(3);
    await knex('backup_records').whereIn('document_id', ['idx-a', 'idx-c', 'idx-d']).del();
  });

  it('records a rejected fire as cancelled, once per key, under the profile lock', async () => {
    const profile = await service('profiles').create({
      name: 'Full queue',
      queueBehavior: 'queue',
      maxQueueDepth: 1,
      includeUploads: false,
      includeProjectFiles: false,
    });
    const queue = service('queue');
    expect(await queue.enqueue({ profile, kind: 'backup', trigger: 'api' })).toMatchObject({ accepted: true, position: 0 });
    expect(await queue.enqueue({ profile, kind: 'backup', trigger: 'api' })).toMatchObject({ accepted: true, position: 1 });
    const key = 'schedule:test:2030-01-01T03:00:00.000Z';
    const full = refused(await queue.enqueue({ profile, kind: 'backup', trigger: 'schedule', idempotencyKey: key, recordRejection: true }));
    expect(full).toMatchObject({ accepted: false, reason: 'queue-full' });
    expect(full.rejectedRecord).toMatchObject({
      status: 'cancelled',
      statusReason: 'queue-full',
      trigger: 'schedule',
      idempotencyKey: key,
      message: full.message,
    });
    const rejectedRecord = found(full.rejectedRecord, 'the record of the refused fire');
    expect(rejectedRecord.finishedAt).toBeTruthy();
    // The same fire on another instance: a no-op that points at the record already written.
    const again = await queue.enqueue({ profile, kind: 'backup', trigger: 'schedule', idempotencyKey: key, recordRejection: true });
    expect(again).toMatchObject({ accepted: false, reason: 'duplicate', record: { id: rejectedRecord.id } });
    expect((await recordsOf(profile.id)).filter((r) => r.idempotencyKey === key)).toHaveLength(1);
    // Nothing half-written: the profile's queue is exactly as before the refused requests.
    expect((await recordsOf(profile.id)).map((r) => r.status)).toEqual(['queued', 'queued', 'cancelled']);
    for (const r of await recordsOf(profile.id)) await queue.cancel(r.id);
  });

  it('a schedule firing every second in 3 worker processes (and this app) creates exactly one record per fire', async () => {
    const queue = service('queue');
    const results: EnqueueResult[] = [];
    const enqueue = queue.enqueue;
    queue.enqueue = async (request) => {
      const result = await enqueue.call(queue, request);
      if (request.trigger === 'schedule') results.push(result);
      return result;
    };
    try {
      const profile = await service('profiles').create({
        name: 'Every second',
        schedule: '* * * * * *',
        queueBehavior: 'cancel',
        includeUploads: false,
        includeProjectFiles: false,
      });
      expect(service('scheduler').registeredJobs()).toContain(`backup-schedule-${profile.documentId}`);

      const started: Promise<void>[] = [];
      for (let i = 0; i < 3; i += 1) {
        const child = fixture.spawnWorker(['ignore', 'ignore', 'pipe']);
        let stderr = '';
        started.push(
          new Promise((resolve, reject) => {
            child.stderr!.on('data', (d) => {
              stderr += d;
              if (stderr.includes('started;')) resolve();
            });
            child.on('exit', (code) => reject(new Error(`worker exited early (${code}): ${stderr}`)));
          }),
        );
      }
      await Promise.all(started);
      const allUp = Date.now();
      await waitFor(
        async () => {
          const keys = (await recordsOf(profile.id)).map((r) => r.idempotencyKey).filter((k) => k && fireTimeOf(k) > allUp);
          return new Set(keys).size >= 3;
        },
        90000,
        'records of 3 fire times while every process runs',
      );
      const exits = fixture.workers.map((child) => new Promise((resolve) => child.once('exit', (code) => resolve(code))));
      for (const child of fixture.workers) child.kill('SIGTERM');
      expect(await Promise.all(exits)).toEqual([0, 0, 0]);

      const records = await recordsOf(profile.id);
      const keys = records.map((r) => r.idempotencyKey);
      expect(keys.every((k) => typeof k === 'string' && k.startsWith(`schedule:${profile.documentId}:`))).toBe(true);
      expect(new Set(keys).size).toBe(records.length);
      expect(records.every((r) => r.trigger === 'schedule')).toBe(true);
      const rejected = records.filter((r) => r.statusReason === 'busy');
      expect(rejected.length).toBeGreaterThan(0);
      for (const r of rejected) {
        expect(r).toMatchObject({ status: 'cancelled', message: expect.stringMatching(/A backup of “Every second” is (already running|about to start)/) });
        expect(r.finishedAt).toBeTruthy();
      }
      expect(records.some((r) => r.status === 'completed')).toBe(true);
      // This process fired too; each of its fires was taken, refused as busy, or lost to another
      // process's insert of the same key (which of the four wins a fire is a race: under load this
      // process may win them all, so no count of its losses is asserted — the unique keys above are).
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => !r.accepted && !['duplicate', 'busy'].includes(r.reason))).toEqual([]);
      // Fire times are whole seconds.
      expect(keys.every((k) => fireTimeOf(k) % 1000 === 0)).toBe(true);

      // Clearing the schedule removes the job at once, without a restart: no new fires.
      await fixture.app.strapi.db.query(PROFILE).update({ where: { id: profile.id }, data: { schedule: null } });
      expect(service('scheduler').registeredJobs()).not.toContain(`backup-schedule-${profile.documentId}`);
      await sleep(1200); // a fire already under way may still land
      const settled = (await recordsOf(profile.id)).length;
      await sleep(2500);
      expect((await recordsOf(profile.id)).length).toBe(settled);

      // A new rule and timezone take effect at once.
      await fixture.app.strapi.db.query(PROFILE).update({ where: { id: profile.id }, data: { schedule: '*/2 * * * * *', timezone: 'Europe/Paris' } });
      expect(service('scheduler').registeredJobs()).toContain(`backup-schedule-${profile.documentId}`);
      await waitFor(async () => (await recordsOf(profile.id)).length > settled, 15000, 'a fire of the new rule');
      const latest = (await recordsOf(profile.id)).slice(settled);
      expect(latest.every((r) => (fireTimeOf(r.idempotencyKey) / 1000) % 2 === 0)).toBe(true);

      // An invalid rule is logged and skipped; it never throws into the caller.
      await fixture.app.strapi.db.query(PROFILE).update({ where: { id: profile.id }, data: { schedule: 'every day at noon' } });
      expect(service('scheduler').registeredJobs()).not.toContain(`backup-schedule-${profile.documentId}`);

      // Deleting the profile removes its job.
      await fixture.app.strapi.db.query(PROFILE).update({ where: { id: profile.id }, data: { schedule: '* * * * * *' } });
      expect(service('scheduler').registeredJobs()).toContain(`backup-schedule-${profile.documentId}`);
      await fixture.app.strapi.db.query(PROFILE).delete({ where: { id: profile.id } });
      expect(service('scheduler').registeredJobs()).not.toContain(`backup-schedule-${profile.documentId}`);
    } finally {
      queue.enqueue = enqueue;
    }
  }, 240000);
});
