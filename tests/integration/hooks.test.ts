/**
 * Pre-update and pre-uninstall backups on a real Strapi app, on every dialect: the app is booted,
 * stopped, changed on disk (content types, fields, recorded versions, storage) and booted again;
 * each boot's hook must back up the untouched database before Strapi's schema sync drops anything.
 * One app per dialect, its steps in order: each boot starts from what the previous one left.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Knex } from 'knex';
import { readArchive, tableRows } from '../helpers/archive';
import { waitFor } from '../helpers/wait';
import { connect, dialectsUnderTest } from '../helpers/databases';
import { createTestApp, type TestApp, servicesOf } from '../helpers/strapi-app';

const BOOT_STATE = { type: 'plugin', name: 'backup', key: 'boot-state' };

type Attributes = Record<string, { type: string }>;

/** A content type of the test app, written where the playground keeps its own. */
const writeType = (app: TestApp, name: string, attributes: Attributes | null) => {
  const dir = path.join(app.dir, 'src/api', name);
  if (!attributes) {
    // The compiled copy too: compiling the app adds to dist/ but never removes from it.
    for (const d of [dir, path.join(app.dir, 'dist/src/api', name)]) fs.rmSync(d, { recursive: true, force: true });
    return;
  }
  fs.mkdirSync(path.join(dir, 'content-types', name), { recursive: true });
  const schema = {
    kind: 'collectionType',
    collectionName: `${name}s`,
    info: { singularName: name, pluralName: `${name}s`, displayName: name },
    options: { draftAndPublish: false },
    attributes,
  };
  fs.writeFileSync(path.join(dir, 'content-types', name, 'schema.json'), JSON.stringify(schema, null, 2));
};

/**
 * Boots the app as it now is on disk. Node caches the modules an app loads (its config, its
 * schemas); forgetting those under the app's directory makes this boot read the files again.
 */
const reboot = async (app: TestApp, env: Record<string, string> = {}, { compile = true } = {}) => {
  await app.stop();
  for (const key of Object.keys(require.cache)) if (key.startsWith(app.dir)) delete require.cache[key];
  Object.assign(app.env, { BACKUP_HOOKS_FAIL_OPEN: 'false', BACKUP_HOOKS_WAIT_MS: '600000' }, env);
  return app.boot({ compile });
};
/** Boots where no source file changed skip compiling the app (seconds each). */
const SAME_SOURCES = { compile: false };

const listTables = async (knex: Knex, dialect: string): Promise<string[]> => {
  const sql = {
    sqlite: "select name from sqlite_master where type = 'table'",
    postgres: 'select table_name as name from information_schema.tables where table_schema = current_schema()',
    mysql: 'select table_name as name from information_schema.tables where table_schema = database()',
  }[dialect]!;
  const result = await knex.raw(sql);
  const rows = dialect === 'sqlite' ? result : dialect === 'postgres' ? result.rows : result[0];
  return rows.map((r: any) => r.name ?? r.NAME ?? r.TABLE_NAME);
};

describe.each(dialectsUnderTest())('pre-update and pre-uninstall backups on %s', (dialect) => {
  let app: TestApp;
  const records = () => app.strapi.db.query('plugin::backup.record').findMany({ orderBy: [{ id: 'asc' }], populate: { profile: { select: ['name'] } } });
  const lastRecord = async () => (await records()).at(-1);
  const archive = async (record: any) => readArchive(path.join(app.backupsDir, record.archiveFile));
  /** A job of the default profile marked running by another instance, last alive at `heartbeatAt`. */
  const runningRecord = async (heartbeatAt: Date) => {
    const service = servicesOf(() => app.strapi);
    const profile = await service('profiles').resolve();
    const record = await service('records').create({ profile: profile.id, kind: 'backup', trigger: 'api' });
    const at = heartbeatAt.toISOString();
    await service('records').update(record.id, { status: 'running', startedAt: at, heartbeatAt: at, worker: 'elsewhere:1' });
    return record;
  };

  beforeAll(async () => {
    app = await createTestApp(dialect, 'hooks');
    writeType(app, 'note', { title: { type: 'string' }, summary: { type: 'text' } });
    writeType(app, 'memo', { body: { type: 'string' } });
    await app.boot();
    const notes = app.strapi.db.query('api::note.note' as any);
    for (let i = 1; i <= 3; i += 1) await notes.create({ data: { title: `Note ${i}`, summary: `Summary ${i}` } });
    await app.strapi.db.query('api::memo.memo' as any).createMany({ data: [{ body: 'Memo A' }, { body: 'Memo B' }] });
  }, 240000);

  afterAll(async () => {
    await app?.destroy();
  });

  it('backs up nothing on the first install, and records what the next boot compares with', async () => {
    expect(await records()).toEqual([]);
    expect(await app.strapi.store.get(BOOT_STATE)).toMatchObject({ strapiVersion: '5.54.0', pluginVersion: '0.1.0' });
  });

  it('a removed field: a pre-uninstall backup naming it, holding its values, before the column goes', async () => {
    writeType(app, 'note', { title: { type: 'string' } });
    await reboot(app);
    const record = await lastRecord();
    expect(record).toMatchObject({ trigger: 'pre-uninstall', status: 'completed', kind: 'backup', profile: { name: 'Full site' } });
    expect(record.message).toContain('field `summary` removed from api::note.note');
    const rows = tableRows(await archive(record), 'notes');
    expect(rows.map((r) => r.summary).sort()).toEqual(['Summary 1', 'Summary 2', 'Summary 3']);
    expect(await app.strapi.db.connection.schema.hasColumn('notes', 'summary')).toBe(false);
  });

  it('an added field: a pre-update backup, not held up by a job whose worker is gone', async () => {
    // A job whose worker died long ago: the hook marks it lost (as the failsafe would) instead of waiting.
    const dead = await runningRecord(new Date(Date.now() - 3600000));
    const before = (await records()).length;
    writeType(app, 'note', { title: { type: 'string' }, subtitle: { type: 'string' } });
    await reboot(app);
    const all = await records();
    expect(all).toHaveLength(before + 1);
    expect(all.at(-1)).toMatchObject({ trigger: 'pre-update', status: 'completed', message: 'field `subtitle` added to api::note.note' });
    expect(all.find((r: any) => r.id === dead.id)).toMatchObject({ status: 'failed', statusReason: 'worker-lost' });
  });

  it('a pre-update backup taken by a CLI boot: its backup.completed webhook is sent once, by one of two instances booting next', async () => {
    const posts: { event: string; record: { id: number } }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    let worker: ChildProcess | null = null;
    let workerOutput = '';
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backups`;
      await app.strapi.get('webhookStore').createWebhook({ name: 'backups', url, headers: {}, events: ['backup.completed'], isEnabled: true });
      await app.stop();
      writeType(app, 'note', { title: { type: 'string' }, subtitle: { type: 'string' }, tagline: { type: 'string' } });
      // An operator's first command after the change boots Strapi: its hook backs up; a one-shot command sends no event.
      const cli = await app.cli(['list']);
      expect(cli.code).toBe(0);
      const knex = connect(app.db);
      const waiting: { id: number; status: string; trigger: string; message: string }[] = await knex('backup_records')
        .where({ event_pending: true })
        .orderBy('id')
        .select('id', 'status', 'trigger', 'message')
        .finally(() => knex.destroy());
      // This boot's record, and any an earlier in-process boot stopped before it sent them.
      expect(waiting.at(-1)).toMatchObject({ trigger: 'pre-update', status: 'completed', message: 'field `tagline` added to api::note.note' });
      expect(posts).toEqual([]);

      // Two instances boot at once: a worker process (its debug line says what it sent) and this one.
      worker = app.spawnWorker('pipe', ['--debug']);
      worker.stdout!.on('data', (d) => (workerOutput += d));
      worker.stderr!.on('data', (d) => (workerOutput += d));
      await reboot(app, {}, SAME_SOURCES);
      const sentHere: number = await app.strapi.plugin('backup').service('notifier').announcePending();
      const checked = /boot events checked: \d+ pending, (\d+) sent by this instance/;
      await waitFor(() => checked.test(workerOutput), 60000, 'the worker process to check its boot events');
      const sentThere = Number(checked.exec(workerOutput)![1]);
      // Each waiting record claimed by exactly one of them, and its event delivered once.
      expect(sentHere + sentThere).toBe(waiting.length);
      const completed = waiting.filter((r) => r.status === 'completed').map((r) => Number(r.id));
      await waitFor(() => posts.length >= completed.length, 30000, 'the webhook deliveries');
      expect(posts.map((p) => [p.event, p.record.id]).sort()).toEqual(completed.map((id) => ['backup.completed', id]).sort());
      expect(await app.strapi.db.query('plugin::backup.record').count({ where: { eventPending: true } })).toBe(0);
    } finally {
      worker?.kill('SIGTERM');
      if (worker && worker.exitCode === null) await new Promise((resolve) => worker!.once('exit', resolve));
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('a boot with no change: no new record', async () => {
    const before = (await records()).length;
    await reboot(app, {}, SAME_SOURCES);
    expect(await records()).toHaveLength(before);
  });

  it('recorded versions that differ: a pre-update naming both, once a job running elsewhere ends (bounded by hooks.waitMs)', async () => {
    const state = await app.strapi.store.get(BOOT_STATE);
    await app.strapi.store.set({ ...BOOT_STATE, value: { ...(state as object), strapiVersion: '5.53.0', pluginVersion: '0.0.9' } });
    // Another instance's job of the same profile, alive: the hook must not run beside it.
    const other = await runningRecord(new Date());
    await app.stop();
    const knex = connect(app.db);
    const beat = () => knex('backup_records').where({ id: other.id }).update({ heartbeat_at: new Date() });
    try {
      await beat();
      await expect(reboot(app, { BACKUP_HOOKS_WAIT_MS: '300' }, SAME_SOURCES)).rejects.toThrow(
        new RegExp(
          `pre-update backup .* failed: a job of “Full site” \\(record ${other.id}, on elsewhere:1\\) was still running after hooks\\.waitMs \\(300 ms\\)`,
        ),
      );
      expect(await knex('backup_records').orderBy('id', 'desc').first()).toMatchObject({ trigger: 'pre-update', status: 'failed', status_reason: 'busy' });

      await beat();
      const output: string[] = [];
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (output.push(String(chunk)), true));
      try {
        const booting = reboot(app, {}, SAME_SOURCES);
        await waitFor(() => output.join('').includes(`Waiting for record ${other.id}`), 60000, 'the hook to wait');
        await knex('backup_records').where({ id: other.id }).update({ status: 'completed', finished_at: new Date() });
        await booting;
      } finally {
        spy.mockRestore();
      }
    } finally {
      await knex.destroy();
    }
    const record = await lastRecord();
    expect(record).toMatchObject({ trigger: 'pre-update', status: 'completed' });
    expect(record.message).toContain('Strapi 5.53.0 → 5.54.0');
    expect(record.message).toContain('strapi-plugin-backup 0.0.9 → 0.1.0');
  });

  it("an upgrade that adds a column to the plugin's own records: the hook writes into the old table", async () => {
    const state = await app.strapi.store.get(BOOT_STATE);
    await app.strapi.store.set({ ...BOOT_STATE, value: { ...(state as object), pluginVersion: '0.0.9' } });
    await app.stop();
    // As if the previous plugin version had no archive_sha_256 column: the sync adds it back, after the hook.
    const knex = connect(app.db);
    try {
      await knex.schema.alterTable('backup_records', (t) => t.dropColumn('archive_sha_256'));
      await knex('strapi_database_schema').update({ hash: 'schema-of-the-previous-plugin-version' });
    } finally {
      await knex.destroy();
    }
    await reboot(app, {}, SAME_SOURCES);
    const record = await lastRecord();
    expect(record).toMatchObject({ trigger: 'pre-update', status: 'completed', archiveSha256: null });
    // MariaDB's inspector finds most tables changed; SQLite and PostgreSQL only this one.
    expect(record.message).toMatch(/^strapi-plugin-backup 0\.0\.9 → 0\.1\.0; database schema changes \(tables .*\)$/);
    if (dialect !== 'mysql') expect(record.message).toContain('(tables backup_records)');
    // The hook's own row, as the old table held it while the backup ran: running, no checksum column yet.
    const dumped = tableRows(await archive(record), 'backup_records').find((row) => Number(row.id) === record.id);
    expect(dumped).toMatchObject({ status: 'running', trigger: 'pre-update' });
    expect(dumped).not.toHaveProperty('archive_sha_256');
    expect(await app.strapi.db.connection.schema.hasColumn('backup_records', 'archive_sha_256')).toBe(true);
  });

  it('a removed content type: a completed pre-uninstall backup holding its rows, then the table is gone', async () => {
    // Even when the profile excludes that table: the hook backs up the whole database.
    const profiles = app.strapi.plugin('backup').service('profiles');
    await profiles.update((await profiles.resolve()).documentId, { excludeTables: ['notes'] });
    writeType(app, 'note', null);
    await reboot(app);
    const record = await lastRecord();
    expect(record.message).toContain('content type api::note.note removed (table notes will be dropped)');
    const rows = tableRows(await archive(record), 'notes');
    expect(rows.map((r) => r.title).sort()).toEqual(['Note 1', 'Note 2', 'Note 3']);
    expect(record).toMatchObject({ trigger: 'pre-uninstall', status: 'completed' });
    expect(await listTables(app.strapi.db.connection, dialect)).not.toContain('notes');
    // What the admin's records list is served: the hook's record like any other, newest first.
    const { results } = await app.strapi.plugin('backup').service('records').list();
    expect(results[0]).toMatchObject({
      id: record.id,
      documentId: expect.stringMatching(/^[a-z0-9]{24}$/),
      trigger: 'pre-uninstall',
      message: record.message,
      profile: { name: 'Full site' },
    });
  });

  it('storage unwritable: the boot stops with a clear error, the table and its rows untouched', async () => {
    writeType(app, 'memo', null);
    // A file where the storage directory should be: nothing can be written under it (even as root).
    const blocked = path.join(app.dir, 'not-a-directory');
    fs.writeFileSync(blocked, '');
    const writable = app.backupsDir;
    await expect(reboot(app, { BACKUP_DIR: path.join(blocked, 'backups') })).rejects.toThrow(
      /pre-uninstall backup taken before Strapi's database schema sync failed: .*(ENOTDIR|EEXIST).*database is untouched.*would lose: content type api::memo\.memo removed \(table memos will be dropped\).*hooks\.failOpen: true/,
    );
    const knex = connect(app.db);
    try {
      expect((await knex('memos').select('body').orderBy('id')).map((r) => r.body)).toEqual(['Memo A', 'Memo B']);
      const last = await knex('backup_records').orderBy('id', 'desc').first();
      expect(last).toMatchObject({ trigger: 'pre-uninstall', status: 'failed', status_reason: 'error' });
      expect(last.message).toMatch(/^Backup failed: .*Not backed up: content type api::memo\.memo removed/);
    } finally {
      await knex.destroy();
    }
    app.env.BACKUP_DIR = writable;
  });

  it('with hooks.failOpen: true the boot goes on, and the failed backup is recorded', async () => {
    const blocked = path.join(app.dir, 'not-a-directory', 'backups');
    await reboot(app, { BACKUP_DIR: blocked, BACKUP_HOOKS_FAIL_OPEN: 'true' }, SAME_SOURCES);
    const failed = (await records()).filter((r: any) => r.trigger === 'pre-uninstall' && r.status === 'failed');
    expect(failed.map((r: any) => r.statusReason)).toEqual(['error', 'error']);
    expect(failed[1].message).toContain('content type api::memo.memo removed');
    expect(await listTables(app.strapi.db.connection, dialect)).not.toContain('memos');
  });

  it('the plugin disabled, then enabled again: it boots, its tables made anew, with no backup to take', async () => {
    await reboot(app, { BACKUP_PLUGIN_ENABLED: 'false' }, SAME_SOURCES);
    expect(app.strapi.plugin('backup')).toBeUndefined();
    expect(await listTables(app.strapi.db.connection, dialect)).not.toContain('backup_records');
    await reboot(app, { BACKUP_PLUGIN_ENABLED: 'true' }, SAME_SOURCES);
    expect(await records()).toEqual([]);
    expect((await app.strapi.plugin('backup').service('profiles').resolve()).name).toBe('Full site');
  });
});
