/**
 * The queue's invariants on a real Strapi app, on every dialect: one running job per profile,
 * cancel/queue behaviour decided under a lock, FIFO, cancel, timeouts and lost workers.
 * The app's own worker is off (BACKUP_WORKER=false) so each test decides when work runs; it runs
 * three jobs at once, so only the queue's rules keep jobs apart.
 */
import fs from 'node:fs';
import { createBulkRows } from '../helpers/bulk-rows';
import { waitFor } from '../helpers/wait';
import { connect, dialectsUnderTest } from '../helpers/databases';
import { createTestApp, type TestApp, servicesOf } from '../helpers/strapi-app';
import { accepted, found, isAccepted, isRefused, time } from '../helpers/results';
import type { Profile } from '../../shared/contracts';
import type { EnqueueRequest } from '../../server/src/services/queue-rules';
import { lockProfileRow } from '../../server/src/locks';

const FINAL = ['completed', 'failed', 'cancelled'];

describe.each(dialectsUnderTest())('queue on %s', (dialect) => {
  let app: TestApp;
  const service = servicesOf(() => app.strapi);
  const record = async (id: number) => found(await service('records').findById(id), `record ${id}`);
  const profileNamed = (name: string, data: Record<string, unknown>) =>
    service('profiles').create({ name, includeUploads: false, includeProjectFiles: false, ...data });
  const untilFinal = async (id: number, timeoutMs = 60000) => {
    await waitFor(async () => FINAL.includes((await record(id)).status), timeoutMs, `record ${id} to end`);
    return record(id);
  };
  /** Archive files (finished or partial) named after a record. */
  const archivesOf = (id: number) => (fs.existsSync(app.backupsDir) ? fs.readdirSync(app.backupsDir).filter((f) => f.includes(`-${id}.tar`)) : []);
  const enqueueMany = (profile: Profile, n: number, extra: Partial<EnqueueRequest> = {}) =>
    Promise.all(Array.from({ length: n }, () => service('queue').enqueue({ profile, kind: 'backup', trigger: 'api', ...extra })));

  beforeAll(async () => {
    app = await createTestApp(dialect, 'queue');
    Object.assign(app.env, {
      BACKUP_WORKER: 'false',
      BACKUP_HEARTBEAT_MS: '200',
      BACKUP_POLL_MS: '200',
      BACKUP_FAILSAFE_CRON: '*/1 * * * * *',
      BACKUP_WORKER_CONCURRENCY: '3',
    });
    await app.boot();
    // A table large enough that a backup runs for a while, so it can be cancelled or killed mid-job.
    const knex = app.strapi.db.connection;
    // 2,500 rows doubled in the database: 1.28M on PostgreSQL and MySQL, where a backup of 150k
    // rows sometimes ended before the SIGTERM and timeout tests caught it running. 160k on SQLite:
    // a 200 MB file written every 200 ms (this suite's heartbeats) is copied under one read lock
    // (~0.6 s, see engine/snapshot.ts), which delays a heartbeat past this suite's 1 s lapse and
    // gets a job marked lost. With the default 10 s heartbeat the lapse is 30 s.
    await createBulkRows(knex, 2500, dialect === 'sqlite' ? 6 : 9);
  }, 300000);

  afterAll(async () => {
    await app?.destroy();
  });

  afterEach(async () => {
    await service('worker').stop(5000);
  });

  it('a cancel profile accepts exactly one of 100 concurrent requests; the rest are told it is busy', async () => {
    const profile = await profileNamed('Cancel burst', { queueBehavior: 'cancel', excludeTables: ['bulk_rows'] });
    const results = await enqueueMany(profile, 100);
    const taken = results.filter(isAccepted);
    expect(taken).toHaveLength(1);
    const busy = results.filter(isRefused);
    expect(busy.every((r) => r.reason === 'busy' && r.record?.id === taken[0].record.id)).toBe(true);
    expect(busy[0].message).toMatch(new RegExp(`A backup of “Cancel burst” is (already running|about to start) \\(record ${taken[0].record.id}`));

    service('worker').start();
    expect(await untilFinal(taken[0].record.id)).toMatchObject({ status: 'completed' });
    const again = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    expect(again).toMatchObject({ accepted: true, position: 0 });
    await untilFinal(again.record.id);
  });

  it('a queue profile holds maxQueueDepth waiting jobs, rejects the rest, and runs them FIFO one at a time', async () => {
    const profile = await profileNamed('Queue burst', { queueBehavior: 'queue', maxQueueDepth: 3, excludeTables: ['bulk_rows'] });
    const results = await enqueueMany(profile, 100);
    const taken = results.filter(isAccepted).sort((a, b) => a.record.id - b.record.id);
    expect(taken.map((r) => r.position)).toEqual([0, 1, 2, 3]);
    expect(taken[1].message).toMatch(/^Backup queued — will start when the current backup completes \(position 1 in the queue\)\.$/);
    const rejected = results.filter(isRefused);
    expect(rejected).toHaveLength(96);
    expect(rejected.every((r) => r.reason === 'queue-full')).toBe(true);
    expect(rejected[0].message).toBe('The queue for “Queue burst” is full (3 waiting). Try again when a backup has finished.');

    service('worker').start();
    const done = [];
    for (const r of taken) done.push(await untilFinal(r.record.id));
    expect(done.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    // FIFO and never two at once: each starts after the previous one finished.
    for (let i = 1; i < done.length; i += 1) {
      expect(time(done[i].startedAt)).toBeGreaterThanOrEqual(time(done[i - 1].finishedAt));
    }
  });

  it('one admin cannot stack copies of the same pending backup', async () => {
    const profile = await profileNamed('Per user', { queueBehavior: 'queue', maxQueueDepth: 5, excludeTables: ['bulk_rows'] });
    const results = await enqueueMany(profile, 4, { trigger: 'admin', requestedBy: 1 });
    expect(results.filter(isAccepted)).toHaveLength(2);
    const duplicates = results.filter(isRefused);
    expect(duplicates.map((r) => r.reason)).toEqual(['duplicate', 'duplicate']);
    const queued = results.filter(isAccepted).filter((r) => r.position === 1)[0];
    expect(duplicates[0].record?.id).toBe(queued.record.id);
    // Another admin is not affected by the first one's pending job.
    const other = await service('queue').enqueue({ profile, kind: 'backup', trigger: 'admin', requestedBy: 2 });
    expect(other).toMatchObject({ accepted: true, position: 2 });
    for (const r of [...results, other].filter(isAccepted)) await service('queue').cancel(r.record.id);
  });

  it('a request the busy profile refuses is answered while another connection holds its queue lock', async () => {
    const profile = await profileNamed('Busy, locked', { queueBehavior: 'cancel', excludeTables: ['bulk_rows'] });
    const head = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    // Another connection holds the profile's lock, as a long enqueue or claim elsewhere would.
    const other = connect(app.db);
    const trx = await other.transaction();
    try {
      await lockProfileRow(trx, app.strapi.db.metadata.get('plugin::backup.profile').tableName, profile.id);
      const refused = service('queue').requestBackup(profile, { trigger: 'api' });
      // Bounded, not slept: a request that has not answered by then is waiting for the lock.
      const bound = new Promise<'waited for the lock'>((resolve) => setTimeout(() => resolve('waited for the lock'), 10_000).unref());
      const answer = await Promise.race([refused, bound]);
      await trx.rollback();
      expect(answer).toMatchObject({ accepted: false, reason: 'busy', record: { id: head.record.id } });
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
      await other.destroy();
    }
    await service('queue').cancel(head.record.id);
  });

  it('a restore waits for what runs, then runs alone while every backup waits behind it', async () => {
    const [siteA, siteB, siteC] = [
      await profileNamed('Restore A', { queueBehavior: 'queue' }),
      await profileNamed('Restore B', { queueBehavior: 'cancel', excludeTables: ['bulk_rows'] }),
      await profileNamed('Restore C', { queueBehavior: 'queue', excludeTables: ['bulk_rows'] }),
    ];
    const enqueue = (profile: Profile) => service('queue').enqueue({ profile, kind: 'backup', trigger: 'cli' });
    service('worker').start();
    // The archive to restore: a backup of the site without the bulk table (the restore leaves it alone).
    const source = await untilFinal(accepted(await enqueue(siteB)).record.id);
    expect(source.status).toBe('completed');
    const requestRestore = () => service('restorer').request({ from: { record: source }, options: { safetyBackup: false }, trigger: 'cli' });
    const running = accepted(await enqueue(siteA));
    await waitFor(async () => (await record(running.record.id)).status === 'running', 30000, 'the backup to run');

    const restore = accepted(await requestRestore());
    expect(restore).toMatchObject({ accepted: true, position: 1 });
    expect(restore.message).toBe('Restore queued — will start when the running job completes; no new backup starts before it.');
    expect(await requestRestore()).toMatchObject({ accepted: false, reason: 'restore-pending', record: { id: restore.record.id } });
    const refused = await enqueue(siteB);
    expect(refused).toMatchObject({ accepted: false, reason: 'busy', record: { id: restore.record.id } });
    expect(refused.message).toBe(`A restore of the site is pending (record ${restore.record.id}); no backup starts until it has finished. Try again then.`);
    const behindRestore = accepted(await enqueue(siteC));
    expect(behindRestore).toMatchObject({ accepted: true, position: 1 });
    expect(behindRestore.message).toMatch(/will start when the restore of the site completes/);

    const backup = await untilFinal(running.record.id);
    const restored = await untilFinal(restore.record.id);
    expect(restored).toMatchObject({ status: 'completed', kind: 'restore', message: expect.stringMatching(/^Restored \d+ tables/) });
    expect(time(restored.startedAt)).toBeGreaterThanOrEqual(time(backup.finishedAt));
    const after = await untilFinal(behindRestore.record.id);
    expect(after.status).toBe('completed');
    expect(time(after.startedAt)).toBeGreaterThanOrEqual(time(restored.finishedAt));
  });

  it("applies a profile's retention when a backup completes, keeping records as history", async () => {
    const profile = await profileNamed('Retained', { queueBehavior: 'queue', excludeTables: ['bulk_rows'], retainCount: 2 });
    service('worker').start();
    const runOne = async () => untilFinal(accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' })).record.id);
    const [first, second] = [await runOne(), await runOne()];
    // A safety copy taken before a schema change is spared (and not counted) for its first 30 days.
    await app.strapi.db.query('plugin::backup.record').update({ where: { id: second.id }, data: { trigger: 'pre-update' } });
    const [third, fourth] = [await runOne(), await runOne()];
    // Retention runs just after the record says completed.
    await waitFor(async () => archivesOf(first.id).length === 0, 10000, 'the oldest archive to go');
    const all = await Promise.all([first, second, third, fourth].map((r) => record(r.id)));
    expect(all.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(all[0]).toMatchObject({ archiveFile: null, message: expect.stringMatching(/^Archive retained-.*\.tar removed: the profile keeps its last 2\.$/) });
    for (const kept of all.slice(1)) {
      expect(kept.archiveFile).toBeTruthy();
      expect(archivesOf(kept.id)).toEqual([kept.archiveFile]);
    }
  });

  it('cancels a queued job at once and a running one within seconds, keeping no archive', async () => {
    const profile = await profileNamed('Cancellable', { queueBehavior: 'queue' });
    const [first, second] = [
      accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' })),
      accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' })),
    ];
    const third = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    expect(await service('queue').cancel(second.record.id)).toMatchObject({ status: 'cancelled', statusReason: 'user' });

    service('worker').start();
    await waitFor(async () => (await record(first.record.id)).status === 'running', 30000, 'the first job to run');
    await service('queue').cancel(first.record.id);
    const cancelled = await untilFinal(first.record.id, 15000);
    expect(cancelled).toMatchObject({ status: 'cancelled', statusReason: 'user', archiveFile: null });
    expect(archivesOf(first.record.id)).toEqual([]);
    // The next queued job starts without waiting for a poll.
    await waitFor(async () => (await record(third.record.id)).status !== 'queued', 5000, 'the next job to start');
    await service('queue').cancel(third.record.id);
    await untilFinal(third.record.id);
  });

  it('the failsafe stops a job past its profile timeout and starts the next', async () => {
    const profile = await profileNamed('Timeout', { queueBehavior: 'queue', timeoutMinutes: 1 });
    const first = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    const next = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    service('worker').start();
    await waitFor(async () => (await record(first.record.id)).status === 'running', 30000, 'the job to run');
    // As if it had been running for two minutes.
    await app.strapi.db.query('plugin::backup.record').update({ where: { id: first.record.id }, data: { startedAt: new Date(Date.now() - 120000) } });
    // The cron's sweep (every second here) ends it. Waiting for any end, not for `cancelled`, so a
    // job that ended otherwise (failed, completed) fails here with its status and message.
    expect(await untilFinal(first.record.id, 15000)).toMatchObject({ status: 'cancelled', statusReason: 'timeout' });
    await waitFor(async () => (await record(next.record.id)).status !== 'queued', 5000, 'the next job to start');
    await service('queue').cancel(next.record.id);
    await untilFinal(next.record.id);
  });

  it('a worker stopped with SIGTERM past its grace period marks its job worker-stopped and exits 0', async () => {
    const profile = await profileNamed('Stopped', { queueBehavior: 'queue' });
    const job = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    app.env.BACKUP_SHUTDOWN_GRACE_MS = '0';
    const child = app.spawnWorker();
    try {
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      await waitFor(async () => (await record(job.record.id)).status === 'running', 60000, 'the worker process to claim the job');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await record(job.record.id)).toMatchObject({ status: 'failed', statusReason: 'worker-stopped', archiveFile: null });
      expect(archivesOf(job.record.id)).toEqual([]);
    } finally {
      delete app.env.BACKUP_SHUTDOWN_GRACE_MS;
      child.kill('SIGKILL');
    }
  });

  it('a worker process killed mid-job is marked lost by the failsafe, and the next job runs', async () => {
    const profile = await profileNamed('Killed', { queueBehavior: 'queue' });
    const doomed = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    const next = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    const child = app.spawnWorker();
    try {
      await waitFor(async () => (await record(doomed.record.id)).status === 'running', 60000, 'the worker process to claim the job');
      expect((await record(doomed.record.id)).worker).toMatch(new RegExp(`:${child.pid}$`));
      child.kill('SIGKILL');
      // The sweep marks the record, then removes what the dead worker left on disk.
      await waitFor(
        async () => (await record(doomed.record.id)).status === 'failed' && archivesOf(doomed.record.id).length === 0,
        10000,
        'the failsafe to clean up',
      );
      expect(await record(doomed.record.id)).toMatchObject({ statusReason: 'worker-lost', archiveFile: null });
      service('worker').start();
      expect(await untilFinal(next.record.id)).toMatchObject({ status: 'completed' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
