/**
 * A worker killed (SIGKILL) while a restore loads the database: the failsafe ends the restore
 * `failed` / `worker-lost`, and the site is the old one, whole — the load's transaction died with
 * its connection (SQLite: its rollback journal is replayed by the next connection) and the uploads
 * are only swapped in after a commit. Nothing of the restore's staging is left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createBulkRows } from '../helpers/bulk-rows';
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { databaseState, filesState } from '../helpers/site-state';
import { createTestApp, seedContent, type TestApp, servicesOf } from '../helpers/strapi-app';
import { accepted, found } from '../helpers/results';

const KEEP = ['backup_profiles', 'backup_records', 'backup_records_profile_lnk'];
/** Rows enough that loading them takes seconds on every dialect (500k: 1.5–4 s measured). */
const BULK_DOUBLINGS = 8; // 2,000 × 2^8 = 512,000

describe.each(dialectsUnderTest())('a worker killed during a restore on %s', (dialect) => {
  let app: TestApp;
  const service = servicesOf(() => app.strapi);
  const siteState = async () => {
    const state = await databaseState(app.strapi.db.connection, dialect);
    for (const table of KEEP) delete state[table];
    return state;
  };

  beforeAll(async () => {
    app = await createTestApp(dialect, 'restore-crash');
    Object.assign(app.env, { BACKUP_WORKER: 'false', BACKUP_POLL_MS: '200', BACKUP_HEARTBEAT_MS: '300', BACKUP_FAILSAFE_CRON: '* * * * * *' });
    await app.boot();
    await seedContent(app.strapi, { articles: 10, uploads: 3, uploadSize: 20 * 1024, pages: 2 });
    const knex = app.strapi.db.connection;
    await createBulkRows(knex, 2000, BULK_DOUBLINGS, (i) => `row ${i} ${'x'.repeat(100)}`);
  }, 300000);

  afterAll(async () => {
    await app?.destroy();
  });

  it('ends worker-lost, and the site is the old one, whole', async () => {
    // The archive: a backup taken here.
    service('worker').start();
    const profile = found(await service('profiles').findDefault(), 'the default profile');
    const queued = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'cli' }));
    let backup: any;
    await waitFor(
      async () => (backup = found(await service('records').findById(queued.record.id), 'the backup record')).status === 'completed',
      120000,
      'the backup',
    );
    await service('worker').stop(5000);

    // The site moves on; that is what must still be there after the crash.
    await app.strapi.db.connection('bulk_rows').where('id', '<', 1000).del();
    await app.strapi.documents('api::article.article').create({ data: { title: 'After the backup' } as any });
    const uploadsDir = path.join(app.dir, 'public/uploads');
    fs.writeFileSync(path.join(uploadsDir, 'after-backup.txt'), 'kept');
    // The worker boots first: its boot writes to Strapi's core store, which is part of the site.
    const worker = app.spawnWorker(['ignore', 'ignore', 'pipe']);
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    let stderr = '';
    worker.stderr!.on('data', (d) => (stderr += d));
    await waitFor(() => stderr.includes('started;'), 60000, 'the worker to start');
    const before = await siteState();
    const uploadsBefore = await filesState(uploadsDir);

    const restore = accepted(await service('restorer').request({ from: { record: backup }, options: { safetyBackup: false }, trigger: 'cli' }));
    expect(restore.accepted).toBe(true);
    // Kill it inside the load. PostgreSQL: while one of its COPYs runs (the whole load can end
    // between two of the record's progress writes). MySQL: the record shows the step. SQLite: the
    // worker's transaction holds the only writer, and its rollback journal appears.
    const journal = `${app.env.DATABASE_FILENAME}-journal`;
    await waitFor(
      async () => {
        if (dialect === 'sqlite')
          return (
            fs.existsSync(journal) &&
            (
              await service('records')
                .findById(restore.record.id)
                .catch(() => null)
            )?.status !== 'queued'
          );
        if (dialect === 'postgres') {
          const copying = await app.strapi.db.connection.raw(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query ilike 'copy %from stdin'`,
          );
          return copying.rows[0].n > 0;
        }
        return (await service('records').findById(restore.record.id))?.progress?.step === 'database';
      },
      120000,
      'the restore to load the database',
    );
    worker.kill('SIGKILL');
    await exited;

    let ended: any;
    await waitFor(
      async () => (ended = found(await service('records').findById(restore.record.id), 'the restore record')).status !== 'running',
      30000,
      'the failsafe',
    );
    expect(ended).toMatchObject({ status: 'failed', statusReason: 'worker-lost' });
    expect(ended.message).toMatch(/rolled back with its connection/);
    expect(await siteState()).toEqual(before);
    expect(await filesState(uploadsDir)).toEqual(uploadsBefore);
    const hidden = [app.dir, path.join(app.dir, 'public'), uploadsDir].flatMap((dir) =>
      fs.readdirSync(dir).filter((n) => /-(restore|old)-[0-9a-f]{12}$/.test(n)),
    );
    expect(hidden).toEqual([]);
  });
});
