/**
 * `strapi-backup restore`, the real binary: through the queue when the app boots (every dialect),
 * and offline when it cannot (SQLite: what is tested there is the fallback, not the dialect).
 * Each case checks what an operator relies on: the exit code, the site's tables and uploads
 * (restored, or exactly as they were after a refusal) and the record left in the history.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { WORKER_OFF_ENV } from '../../shared/constants';
import { waitFor } from '../helpers/wait';
import { backUp, cliOnTerminal, insertRecordRow, siteState, tamperedCopy, timeOf, type SiteState, type TakenBackup } from '../helpers/cli-site';
import { connect, dialectsUnderTest } from '../helpers/databases';
import { createTestApp, poolIdle, seedContent, type TestApp } from '../helpers/strapi-app';

interface Site {
  app: TestApp;
  knex: Knex;
  backup: TakenBackup;
  /** The site as the backup holds it. */
  backedUp: SiteState;
}

/** A seeded test app with one completed backup (database, uploads, project files); the app is stopped after. */
const useBackedUpSite = (dialect: 'sqlite' | 'postgres' | 'mysql', label: string): Site => {
  const site = {} as Site;
  beforeAll(async () => {
    site.app = await createTestApp(dialect, label);
    await site.app.boot();
    await seedContent(site.app.strapi, { articles: 6, uploads: 2, uploadSize: 2048 });
    site.backup = await backUp(site.app);
    // Strapi emits a document's events after its commit without awaiting them (a record's too):
    // destroying the app under them leaves a connection request to time out a minute later.
    await poolIdle(site.app.strapi);
    await site.app.stop(); // each CLI process boots its own instance of the app
    site.knex = connect(site.app.db);
    site.backedUp = await siteState(site.knex, dialect, site.app.dir);
  }, 240000);
  afterAll(async () => {
    await site.knex?.destroy();
    await site.app?.destroy();
  });
  return site;
};

/** Changes what a restore must put back: a row changed, one removed, an upload changed, one added. */
const changeSite = async ({ app, knex }: Site) => {
  const [first, second] = await knex('articles').orderBy('id').limit(2);
  await knex('articles').where({ id: first.id }).update({ title: 'changed after the backup' });
  await knex('articles').where({ id: second.id }).del();
  const uploads = path.join(app.dir, 'public/uploads');
  const [file] = fs.readdirSync(uploads).filter((f) => f.endsWith('.bin'));
  fs.writeFileSync(path.join(uploads, file), 'changed after the backup');
  fs.writeFileSync(path.join(uploads, 'added-after-the-backup.txt'), 'new');
};

const records = (knex: Knex) => knex('backup_records').orderBy('id');

describe.each(dialectsUnderTest())('strapi-backup restore, the app booting (%s)', (dialect) => {
  const site = useBackedUpSite(dialect, 'cli_restore');
  const state = () => siteState(site.knex, dialect, site.app.dir);

  it('restores a changed site: exit 0, the rows and the uploads back, the restore and its safety backup recorded', async () => {
    await changeSite(site);
    expect(await state()).not.toEqual(site.backedUp);
    const run = await site.app.cli(['restore', String(site.backup.id), '--yes', '--json']);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'restore', status: 'completed', trigger: 'cli' });
    expect(await state()).toEqual(site.backedUp);
    const safety = (await records(site.knex)).filter((r) => r.trigger === 'pre-restore');
    expect(safety.map((r) => r.status)).toEqual(['completed']);
  });

  it('waits behind a job running elsewhere, its queued record beating, then restores', async () => {
    await changeSite(site);
    const now = new Date();
    const running = await insertRecordRow(site.knex, {
      kind: 'backup',
      status: 'running',
      trigger: 'api',
      worker: 'elsewhere:1',
      started_at: now,
      heartbeat_at: now,
    });
    // That instance is alive: its heartbeat stays fresh until its job "ends" below.
    const beat = setInterval(
      () =>
        void site
          .knex('backup_records')
          .where({ id: running })
          .update({ heartbeat_at: new Date() })
          .catch(() => undefined),
      200,
    );
    const cli = site.app.cli(['restore', String(site.backup.id), '--yes', '--json'], { env: { BACKUP_HEARTBEAT_MS: '1000', BACKUP_POLL_MS: '200' } });
    try {
      let queued: { id: number; heartbeat_at: unknown } | undefined;
      await waitFor(
        async () => Boolean((queued = await site.knex('backup_records').where({ kind: 'restore', status: 'queued' }).first())),
        60000,
        'the restore to be queued',
      );
      const firstBeat = timeOf(queued!.heartbeat_at);
      await waitFor(
        async () => {
          const now = await site.knex('backup_records').where({ id: queued!.id }).first();
          return now.status === 'queued' && timeOf(now.heartbeat_at) > firstBeat;
        },
        15000,
        'a heartbeat on the queued restore',
      );
    } finally {
      clearInterval(beat);
      await site.knex('backup_records').where({ id: running }).update({ status: 'completed', finished_at: new Date() });
    }
    const run = await cli;
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'restore', status: 'completed' });
    expect(await state()).toEqual(site.backedUp);
  });

  it('refuses a tampered archive with exit 4 and changes nothing', async () => {
    await changeSite(site);
    const before = await state();
    const tampered = path.join(site.app.dir, 'tampered.tar');
    await tamperedCopy(path.join(site.app.backupsDir, site.backup.archiveFile), tampered);
    // With a safety backup the archive is checked in full before it (the check's message); without
    // one the restore checks each entry as it reads it (one read of the archive; its message).
    const cases: [string[], RegExp][] = [
      [[], /: sha256 does not match the manifest \(the entry was modified or damaged\)/],
      [['--no-safety-backup'], /: size or sha256 does not match the manifest \(the archive is damaged, or changed since it was checked\)/],
    ];
    for (const [extra, message] of cases) {
      const run = await site.app.cli(['restore', '--file', tampered, '--yes', '--json', ...extra]);
      expect({ extra, code: run.code, stdout: JSON.parse(run.stdout) }).toMatchObject({
        extra,
        code: 4,
        stdout: { kind: 'restore', status: 'failed', statusReason: 'refused', message: expect.stringMatching(message) },
      });
      expect(await state()).toEqual(before);
    }
  });

  it('refuses without --yes when no terminal can answer: exit 2, nothing changed, no record', async () => {
    const before = { state: await state(), records: (await records(site.knex)).length };
    const run = await site.app.cli(['restore', String(site.backup.id), '--json']);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/^strapi-backup: A restore replaces the whole site: pass --yes/);
    const envAlone = await site.app.cli(['restore', String(site.backup.id), '--env', '--yes']);
    expect({ code: envAlone.code, stderr: envAlone.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/^strapi-backup: --env puts .env back with the project files: add --files/),
    });
    expect({ state: await state(), records: (await records(site.knex)).length }).toEqual(before);
  });

  it('is rejected by the queue with exit 3 while another restore is pending', async () => {
    // A restore asked from the admin of an instance whose worker is off: it stays queued.
    process.env[WORKER_OFF_ENV] = 'true';
    let pending: { id: number };
    try {
      const strapi = await site.app.boot({ compile: false });
      const record = await strapi.plugin('backup').service('records').findById(site.backup.id);
      const result = await strapi.plugin('backup').service('restorer').request({ from: { record }, options: {}, trigger: 'admin' });
      expect(result.accepted).toBe(true);
      pending = result.record;
      await poolIdle(strapi);
    } finally {
      delete process.env[WORKER_OFF_ENV];
      await site.app.stop();
    }
    const before = await state();
    try {
      const run = await site.app.cli(['restore', String(site.backup.id), '--yes', '--json']);
      expect({ code: run.code, stdout: JSON.parse(run.stdout) }).toMatchObject({
        code: 3,
        stdout: { error: { reason: 'restore-pending', record: { id: pending.id } } },
      });
      expect(await state()).toEqual(before);
    } finally {
      await site.knex('backup_records').where({ id: pending.id }).update({ status: 'cancelled' });
    }
  });
});

describe('strapi-backup restore when the app cannot boot (sqlite)', () => {
  const site = useBackedUpSite('sqlite', 'cli_restore_offline');
  const state = () => siteState(site.knex, 'sqlite', site.app.dir);
  const broken = () => path.join(site.app.dir, 'src/api/broken');

  it('asks on a terminal, names the archive and what it replaces, and changes nothing on no', async () => {
    const before = { state: await state(), records: (await records(site.knex)).length };
    const run = await cliOnTerminal(site.app, ['restore', String(site.backup.id)], 'Restore? (y/N)', 'n');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Restore ${path.join(site.app.backupsDir, site.backup.archiveFile)}`);
    expect(run.stdout).toMatch(/made \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by Strapi 5\.\d+\.\d+ on sqlite, [\d.]+ KB/);
    expect(run.stdout).toContain(`the database: SQLite ${site.app.db.name}`);
    expect(run.stdout).toContain(`the uploads in ${path.join(site.app.dir, 'public/uploads')}`);
    expect(run.stdout).toContain('A safety backup of the site as it is now is taken first.');
    expect(run.stdout).toContain('Nothing was changed.');
    expect({ state: await state(), records: (await records(site.knex)).length }).toEqual(before);
  });

  it('puts the project files back with --files when the app boots, and clears its compiled output', async () => {
    const added = path.join(site.app.dir, 'src/added-after-the-backup.txt');
    fs.writeFileSync(added, 'not in the backup');
    const safetyBefore = (await records(site.knex)).filter((r) => r.trigger === 'pre-restore').length;
    const run = await site.app.cli(['restore', String(site.backup.id), '--files', '--yes', '--no-safety-backup']);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Restore completed: .*, the project files \(\d+ files, [\d.]+ [KMG]?B\)\./);
    expect(run.stderr).toContain('The compiled output of this TypeScript app (dist/) was cleared: compile it again (npm run build) before strapi start.');
    expect(fs.existsSync(added)).toBe(false);
    expect((await records(site.knex)).filter((r) => r.trigger === 'pre-restore')).toHaveLength(safetyBefore);
    // Nothing compiled is left (an admin build would stay; the test app has none).
    expect(fs.readdirSync(path.join(site.app.dir, 'dist')).filter((name) => !name.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('restores offline, with the project files, an app whose boot a broken schema stops; then the app boots again', async () => {
    await changeSite(site);
    fs.mkdirSync(path.join(broken(), 'content-types/broken'), { recursive: true });
    fs.writeFileSync(path.join(broken(), 'content-types/broken/schema.json'), '{ "kind": "collectionType", ');
    expect((await site.app.cli(['list'])).code).toBe(1); // the boot fails now

    // A job alive elsewhere (its heartbeat fresh), then a restore asked from the admin: the offline
    // restore takes the site lock too, and is refused for each, changing nothing.
    const archive = path.join(site.app.backupsDir, site.backup.archiveFile);
    const offline = () => site.app.cli(['restore', '--file', archive, '--files', '--yes', '--json']);
    const running = await insertRecordRow(site.knex, {
      kind: 'backup',
      status: 'running',
      trigger: 'api',
      worker: 'elsewhere:1',
      started_at: new Date(),
      heartbeat_at: new Date(),
    });
    const before = await state();
    const busy = await offline();
    expect({ code: busy.code, stdout: JSON.parse(busy.stdout) }).toMatchObject({ code: 3, stdout: { error: { reason: 'busy', record: { id: running } } } });
    // That worker died since: its heartbeat lapsed an hour ago.
    await site
      .knex('backup_records')
      .where({ id: running })
      .update({ heartbeat_at: new Date(Date.now() - 3600_000) });
    const pending = await insertRecordRow(site.knex, { kind: 'restore', status: 'queued', trigger: 'admin', queued_at: new Date() });
    const restorePending = await offline();
    expect({ code: restorePending.code, stdout: JSON.parse(restorePending.stdout) }).toMatchObject({
      code: 3,
      stdout: { error: { reason: 'restore-pending', record: { id: pending } } },
    });
    expect(await state()).toEqual(before);
    await site.knex('backup_records').where({ id: pending }).update({ status: 'cancelled' });

    const safetyBefore = (await records(site.knex)).filter((r) => r.trigger === 'pre-restore').length;
    const run = await offline();
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stderr).toMatch(/^strapi-backup: the app does not boot: .+\nstrapi-backup: restoring offline/m);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'restore', status: 'completed', trigger: 'cli', offline: true, bootError: expect.any(String) });
    expect(fs.existsSync(broken())).toBe(false);
    expect(await state()).toEqual(site.backedUp);
    const safety = (await records(site.knex)).filter((r) => r.trigger === 'pre-restore');
    expect({ taken: safety.length - safetyBefore, status: safety.at(-1)?.status }).toEqual({ taken: 1, status: 'completed' });
    // The job whose worker died is marked lost, as the failsafe would.
    expect(await site.knex('backup_records').where({ id: running }).first()).toMatchObject({ status: 'failed', status_reason: 'worker-lost' });

    // The old code with its data: the app boots, and its content is the backed-up one.
    const strapi = await site.app.boot();
    try {
      expect(await strapi.db.query('api::article.article').count()).toBe(Number(site.backedUp.tables.articles.split(':')[0]));
    } finally {
      await site.app.stop();
    }
  });
});
