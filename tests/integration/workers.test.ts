/**
 * Several real worker processes on one database: every job runs exactly once, never two of one
 * profile at once, in FIFO order per profile; SIGTERM stops a worker cleanly (exit 0).
 */
import fs from 'node:fs';
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { servicesOf } from '../helpers/strapi-app';
import { accepted } from '../helpers/results';
import { withWorkerApp } from '../helpers/worker-app';

const PROFILES = 5;
const JOBS_PER_PROFILE = 12;

describe.each(dialectsUnderTest())('three worker processes on %s', (dialect) => {
  const fixture = withWorkerApp(dialect, 'workers');
  const service = servicesOf(() => fixture.app.strapi);

  it('runs 60 jobs over 5 profiles exactly once each, FIFO and one at a time per profile', async () => {
    const profiles = [];
    for (let i = 0; i < PROFILES; i += 1) {
      profiles.push(
        await service('profiles').create({
          name: `Worker profile ${i}`,
          queueBehavior: 'queue',
          maxQueueDepth: 20,
          includeUploads: false,
          includeProjectFiles: false,
        }),
      );
    }
    const ids: number[] = [];
    for (let round = 0; round < JOBS_PER_PROFILE; round += 1) {
      for (const profile of profiles) {
        const result = await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' });
        expect(result.accepted).toBe(true);
        ids.push(accepted(result).record.id);
      }
    }

    for (let i = 0; i < 3; i += 1) {
      fixture.spawnWorker();
    }
    await waitFor(
      async () =>
        (await fixture.app.strapi.db
          .query('plugin::backup.record')
          .count({ where: { id: { $in: ids }, status: { $in: ['completed', 'failed', 'cancelled'] } } })) === ids.length,
      240000,
      'every job to end',
    );

    const records = await fixture.app.strapi.db.query('plugin::backup.record').findMany({
      where: { id: { $in: ids } },
      populate: { profile: { select: ['id'] } },
      orderBy: [{ id: 'asc' }],
    });
    expect(records.filter((r: any) => r.status !== 'completed').map((r: any) => `${r.id} ${r.status}: ${r.message}`)).toEqual([]);
    const pids = new Set(fixture.workers.map((w) => String(w.pid)));
    expect(records.every((r: any) => pids.has(String(r.worker).split(':').pop() ?? ''))).toBe(true);
    // Exactly once: one archive per record, each named after its own record.
    const archives = fs.readdirSync(fixture.app.backupsDir).filter((f) => f.endsWith('.tar'));
    expect(archives).toHaveLength(ids.length);
    for (const r of records) expect(archives).toContain(r.archiveFile);

    for (const profile of profiles) {
      const own = records.filter((r: any) => r.profile.id === profile.id);
      expect(own).toHaveLength(JOBS_PER_PROFILE);
      for (let i = 1; i < own.length; i += 1) {
        // FIFO, and the next starts only after the previous one finished.
        expect(Date.parse(own[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(own[i - 1].finishedAt));
      }
    }

    const exits = fixture.workers.map((child) => new Promise((resolve) => child.once('exit', (code) => resolve(code))));
    for (const child of fixture.workers) child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
  }, 300000);
});
