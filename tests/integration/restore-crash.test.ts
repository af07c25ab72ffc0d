/**
 * A worker killed (SIGKILL) while a restore loads the database: the failsafe ends the restore
 * `failed` / `worker-lost`, and the site is the old one, whole — the load's transaction died with
 * its connection (SQLite: its rollback journal is replayed by the next connection) and the uploads
 * are only swapped in after a commit. Nothing of the restore's staging is left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RestoreFailedError, checkArchive, createBackup, restoreArchive } from '../../server/src/engine';
import { createBulkRows } from '../helpers/bulk-rows';
import { failStatement } from '../helpers/restore-site';
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

  /** MySQL: the tables of a restore's swap (listTables, and so siteState, leave them out). */
  const swapTables = async (): Promise<string[]> => {
    const [rows] = await app.strapi.db.connection.raw(
      "select table_name as t from information_schema.tables where table_schema = database() and table_name like '%\\_\\_bk\\_%'",
    );
    return rows.map((r: { t: string }) => r.t);
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

  /** A backup taken here by this process's worker (left running). */
  const completedBackup = async () => {
    service('worker').start();
    const profile = found(await service('profiles').findDefault(), 'the default profile');
    const queued = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'cli' }));
    let backup: any;
    await waitFor(
      async () => (backup = found(await service('records').findById(queued.record.id), 'the backup record')).status === 'completed',
      120000,
      'the backup',
    );
    return backup;
  };

  it('ends worker-lost, and the site is the old one, whole', async () => {
    const backup = await completedBackup();
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
        // MySQL loads into new tables (engine/swap-load.ts): killed while they fill.
        return (await swapTables()).length > 0 && (await service('records').findById(restore.record.id))?.progress?.step === 'database';
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
    // The new tables the load was filling: dropped by the failsafe that ended the restore.
    if (dialect === 'mysql') await waitFor(async () => (await swapTables()).length === 0, 30000, 'the new tables to be dropped');
  });

  // MySQL loads a restore into new tables and swaps them in (engine/swap-load.ts); a process that
  // stops right after the swap leaves foreign keys under second names and the replaced tables,
  // and a Strapi schema sync would fail on those names.
  if (dialect === 'mysql') {
    /** The database's foreign keys, as information_schema lists them. */
    const keys = async () =>
      (
        await app.strapi.db.connection.raw(
          `select rc.table_name as t, rc.constraint_name as name, rc.referenced_table_name as ref, rc.delete_rule as del, rc.update_rule as upd
             from information_schema.referential_constraints rc where rc.constraint_schema = database()
            order by rc.table_name, rc.constraint_name`,
        )
      )[0];

    it('a restore stopped right after its swap: the next boot puts every key back before the schema sync', async () => {
      const knex = app.strapi.db.connection;
      const before = await keys();
      expect(before.length).toBeGreaterThan(10);
      const file = path.join(app.dir, 'swap-stop.tar');
      const common = { knex, dialect, keepTables: KEEP } as const;
      await createBackup({
        ...common,
        includeDatabase: true,
        excludeTables: KEEP,
        uploadsDir: null,
        projectDir: null,
        format: 'tar',
        outFile: file,
        tmpDir: path.join(app.dir, '.tmp', 'swap-stop'),
        meta: { strapiVersion: null, pluginVersion: null, profile: null },
      });
      const check = await checkArchive(file, common);
      // The process stops at the first old table dropped after the RENAME: nothing runs after it.
      const stop = failStatement(knex, /^drop table `/, 'process stopped', { stop: true });
      const failure = await restoreArchive({ ...common, file, manifest: check.manifest!, uploadsDir: null }).catch((err: unknown) => err);
      stop.restore();
      expect(failure).toBeInstanceOf(RestoreFailedError);
      expect((failure as RestoreFailedError).databaseRestored).toBe(true);
      expect((await swapTables()).length).toBeGreaterThan(10);
      const stopped = await keys();
      expect(stopped.filter((k: { t: string }) => k.t.endsWith('__bk_old')).length).toBeGreaterThan(10);
      expect(stopped.filter((k: { name: string }) => k.name.endsWith('__bk_fk')).length).toBeGreaterThan(10);

      // Without its stored schema, Strapi's sync compares every table with the models: a table
      // still without its keys gets them added, under names the replaced tables still hold.
      await app.strapi.db.connection('strapi_database_schema').del();
      await app.stop();
      await app.boot({ compile: false });
      expect(await swapTables()).toEqual([]);
      expect(await app.strapi.db.connection.raw('select 1')).toBeTruthy();
      expect(await keys()).toEqual(before);
    });

    it('a swap whose last steps fail in the runner is finished before the site answers again; the record says so', async () => {
      const before = await keys();
      const backup = await completedBackup();
      // The first old table's DROP fails once (a lock wait, say); the runner's retry succeeds.
      failStatement(app.strapi.db.connection, /^drop table `/, 'Lock wait timeout exceeded');
      const restore = accepted(await service('restorer').request({ from: { record: backup }, options: { safetyBackup: false }, trigger: 'cli' }));
      let ended: any;
      await waitFor(
        async () => ['failed', 'completed'].includes((ended = await service('records').findById(restore.record.id))?.status ?? ''),
        120000,
        'the restore to end',
      );
      await service('worker').stop(5000);
      expect(ended).toMatchObject({ status: 'failed', statusReason: 'error' });
      expect(ended.message).toMatch(/^The database was restored, but its foreign keys could not all be put back .*Lock wait timeout exceeded/);
      expect(await swapTables()).toEqual([]);
      expect(await keys()).toEqual(before);
    });
  }
});
