/**
 * A real Strapi app on each dialect: seeded content with media, relations and components,
 * backed up through the plugin's services, then read back entry by entry.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { verifyArchive } from '../../server/src/engine';
import type { Manifest } from '../../server/src/engine/types';
import { dialectsUnderTest } from '../helpers/databases';
import { createTestApp, seedContent, type TestApp, servicesOf } from '../helpers/strapi-app';
import { readArchive, tableRows, writeTar } from '../helpers/archive';
import { waitFor } from '../helpers/wait';
import { accepted } from '../helpers/results';
import { createBulkRows } from '../helpers/bulk-rows';

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

const listTables = async (app: TestApp): Promise<string[]> => {
  const knex = app.strapi.db.connection;
  const sql = {
    sqlite: "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
    postgres: "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
    mysql: "select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'",
  }[app.dialect];
  const result = await knex.raw(sql);
  const rows = app.dialect === 'sqlite' ? result : app.dialect === 'postgres' ? result.rows : result[0];
  return rows.map((r: any) => r.name ?? r.NAME ?? r.TABLE_NAME).sort();
};

/** Enqueues a backup of the default profile and waits for it to end, sampling its progress. */
const runBackup = async (app: TestApp, onPoll?: (record: any) => void) => {
  const service = servicesOf(() => app.strapi);
  const profile = await service('profiles').resolve();
  const result = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
  expect(result).toMatchObject({ accepted: true, position: 0 });
  let record: any;
  await waitFor(
    async () => {
      record = await service('records').findById(result.record.id);
      onPoll?.(record);
      return ['completed', 'failed', 'cancelled'].includes(record.status);
    },
    60000,
    `record ${result.record.id} to end`,
  );
  return record;
};

describe.each(dialectsUnderTest())('backup of a real Strapi app on %s', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp(dialect, 'backup');
    await app.boot();
    await seedContent(app.strapi, { articles: 30, uploads: 4, uploadSize: 40 * 1024 });
  }, 240000);

  afterAll(async () => {
    await app?.destroy();
  });

  it('creates the default profile at first boot', async () => {
    const profiles = await app.strapi.plugin('backup').service('profiles').list();
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({ name: 'Full site', queueBehavior: 'cancel', isDefault: true, format: 'tar' });
  });

  it('archives every table, upload and project file, and the archive verifies', async () => {
    const percents: number[] = [];
    const done = await runBackup(app, (r) => r.progress && percents.push(r.progress.percent));
    expect(done).toMatchObject({ status: 'completed', trigger: 'api', kind: 'backup', progress: { percent: 100 } });
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const file = path.join(app.backupsDir, done.archiveFile);
    expect(done.archiveFile).toMatch(new RegExp(`^full-site-\\d{8}-\\d{6}-${done.id}\\.tar$`));
    const bytes = fs.readFileSync(file);
    expect(Number(done.archiveSize)).toBe(bytes.length);
    expect(done.archiveSha256).toBe(sha256(bytes));
    expect(fs.readdirSync(app.backupsDir).filter((f) => f.endsWith('.partial'))).toEqual([]);

    const entries = await readArchive(file);
    expect(entries[entries.length - 1].name).toBe('manifest.json');
    const manifest: Manifest = JSON.parse(entries[entries.length - 1].data.toString('utf8'));
    expect(manifest).toMatchObject({ format: 'strapi-plugin-backup', formatVersion: 1, dialect });
    expect(manifest.strapiVersion).toBe('5.54.0');

    // Every table the database holds, counted against the live database.
    expect(manifest.tables.map((t) => t.name).sort()).toEqual(await listTables(app));
    for (const table of manifest.tables) {
      const [{ count }] = await app.strapi.db.connection(table.name).count({ count: '*' });
      // The running record itself is updated after the snapshot; its row count still matches.
      expect({ table: table.name, rows: table.rows }).toEqual({ table: table.name, rows: Number(count) });
      expect(table.columns.length).toBeGreaterThan(0);
    }
    expect(manifest.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['articles', 'admin_users', 'strapi_core_store_settings', 'files', 'up_roles']));

    // Rows keep their ids and their values survive the encoding.
    const articles = tableRows(entries, 'articles');
    const live = await app.strapi.db.connection('articles').select('id', 'views').orderBy('id');
    expect(articles.map((a) => a.id)).toEqual(live.map((a: any) => Number(a.id)));
    expect(articles[0].views).toBe('9007199254740993');
    const metadata = articles[0].metadata;
    expect(typeof metadata === 'string' ? JSON.parse(metadata) : metadata).toEqual({ index: 0, tags: ['backup'], nested: { ok: true } });
    expect(tableRows(entries, 'articles_author_lnk').length).toBe(30);
    // Articles and pages (two locales, drafts and published) each hold one.
    const seos = Number((await app.strapi.db.connection('components_shared_seos').count({ n: '*' }).first())!.n);
    expect(seos).toBeGreaterThan(30);
    expect(tableRows(entries, 'components_shared_seos').length).toBe(seos);

    // Uploads byte for byte; project files without secrets or build output.
    const uploadsDir = path.join(app.dir, 'public/uploads');
    const uploads = fs.readdirSync(uploadsDir).filter((f) => f.endsWith('.bin'));
    expect(uploads).toHaveLength(4);
    for (const name of uploads) {
      const entry = manifest.files.find((f) => f.path === `uploads/${name}`);
      expect(entry?.sha256).toBe(sha256(fs.readFileSync(path.join(uploadsDir, name))));
    }
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['files/package.json', 'files/config/database.js', 'files/src/api/article/content-types/article/schema.json']),
    );
    expect(paths.filter((p) => /(^|\/)(\.env|backups|node_modules|\.tmp)(\/|$)/.test(p))).toEqual([]);

    const verified = await verifyArchive(file, { expectedSha256: done.archiveSha256 });
    expect(verified.errors).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  it('keeps serving writes while a backup runs', async () => {
    // Enough rows that the dump outlasts a write by far, on every dialect.
    const knex = app.strapi.db.connection;
    await createBulkRows(knex, 3125, 5); // 100,000 rows

    let backupDone = false;
    let write: Promise<{ finishedDuringBackup: boolean }> | null = null;
    const backup = runBackup(app, (r) => {
      if (!write && r.status === 'running') {
        write = app.strapi
          .documents('api::author.author')
          .create({ data: { name: 'Written during the backup' } })
          .then(() => ({ finishedDuringBackup: !backupDone }));
      }
    }).then((record) => {
      backupDone = true;
      return record;
    });
    const record = await backup;
    expect(record.status).toBe('completed');
    expect(write).not.toBeNull();
    expect(await write).toEqual({ finishedDuringBackup: true });
    expect(record.stats.tables.bulk_rows).toBe(100000);
    await knex.schema.dropTable('bulk_rows');
  });

  it('runs through the real CLI binary with its exit codes', async () => {
    await app.stop(); // the CLI boots its own instance of the app

    const run = await app.cli(['run', '--wait', '--json']);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // one clear line, no stack trace
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout);
    expect(record).toMatchObject({ status: 'completed', trigger: 'cli' });

    const list = await app.cli(['list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).data.map((r: any) => r.id)).toContain(record.id);

    const byRecord = await app.cli(['verify', String(record.id)]);
    expect(byRecord).toMatchObject({ code: 0 });
    expect(byRecord.stdout).toMatch(new RegExp(`^OK record ${record.id} \\(archive `)); // a bare id with no such file here is a record

    const profiles = await app.cli(['profiles', '--json']);
    expect(JSON.parse(profiles.stdout).data[0]).toMatchObject({ name: 'Full site', isDefault: true });

    expect((await app.cli(['run', '--profile', 'Nope'])).code).toBe(1);

    // Without --wait, run only queues (no worker runs in a CLI process that does not wait), so a
    // second run is refused by the default profile's cancel behaviour: exit code 3.
    const queued = await app.cli(['run', '--json']);
    expect(queued.code).toBe(0);
    const pending = JSON.parse(queued.stdout);
    expect(pending).toMatchObject({ data: { status: 'queued', trigger: 'cli' }, meta: { position: 0 } });
    const refused = await app.cli(['run']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`A backup of “Full site” is about to start (record ${pending.data.id})`);
    const cancelled = await app.cli(['cancel', pending.data.documentId]);
    expect(cancelled).toMatchObject({ code: 0, stdout: `Cancelled record ${pending.data.id}.\n` });
    const status = await app.cli(['status', String(pending.data.id), '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'cancelled', statusReason: 'user' });
    for (const args of [['run', '--bogus'], ['verify'], ['cancel'], ['worker', '--concurrency', 'lots'], ['list', '--status', 'sleeping'], ['frobnicate']]) {
      const bad = await app.cli(args);
      expect({ args, code: bad.code }).toEqual({ args, code: 2 });
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }

    // Damaged copies of the archive each fail verify with exit code 4 and say why.
    const file = path.join(app.backupsDir, record.archiveFile);
    const bytes = fs.readFileSync(file);
    const truncated = path.join(app.dir, 'truncated.tar');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const tampered = path.join(app.dir, 'tampered.tar');
    const copy = Buffer.from(bytes);
    const header = copy.indexOf(Buffer.from('uploads/'));
    copy[header + 512 + 100] ^= 0xff; // a byte of the first upload's data
    fs.writeFileSync(tampered, copy);
    // A copy whose entries are intact but that also carries one escaping the extraction directory.
    const escaping = path.join(app.dir, 'escaping.tar');
    const entries = await readArchive(file);
    await writeTar(escaping, [
      { name: '../../etc/cron.d/evil', data: Buffer.from('* * * * * root sh\n') },
      ...entries.map(({ name, data }) => ({ name, data })),
    ]);
    for (const [damaged, reason] of [
      [truncated, /truncated|corrupt|missing/i],
      [tampered, /sha256|checksum/i],
      [escaping, /\.\.\/\.\.\/etc\/cron\.d\/evil.*escapes/],
    ] as const) {
      const result = await app.cli(['verify', damaged]);
      expect({ damaged, code: result.code }).toEqual({ damaged, code: 4 });
      expect(result.stderr).toMatch(reason);
    }
  });
});
