/**
 * Retention on every dialect: after each backup, from the daily job on Strapi's cron, and at once
 * when a profile's rules are lowered; the `keep` flag; safety backups spared for 30 days; the
 * check of the backup directory (orphan archives reported and left alone, missing ones reported)
 * and the disk use route. One app per dialect; most backups are written straight through the
 * services (a record and a file, finished in the past), two are real.
 */
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { startHttpApp, type HttpApp } from '../helpers/http';

const RECORD = 'plugin::backup.record';
const RETENTION_JOB = 'backup-retention';
const CRON_RULE = '0 30 2 * * *';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe.each(dialectsUnderTest())('retention on %s', (dialect) => {
  let http: HttpApp;
  const strapi = () => http.app.strapi;
  const service = (name: string) => strapi().plugin('backup').service(name);
  const request = (method: string, url: string, options?: Parameters<HttpApp['request']>[2]) => http.request(method, url, options);
  const record = (id: number) => service('records').findById(id);
  const archivesOnDisk = () =>
    fs
      .readdirSync(http.app.backupsDir)
      .filter((name) => /\.tar(\.gz)?$/.test(name))
      .sort();
  const exists = (name: string) => fs.existsSync(path.join(http.app.backupsDir, name));

  /** A database-only profile created through the admin route, as the service returns it. */
  const profileNamed = async (name: string, data: Record<string, unknown> = {}) => {
    const res = await request('POST', '/backup/profiles', {
      body: { name, includeUploads: false, includeProjectFiles: false, queueBehavior: 'queue', ...data },
    });
    expect(res.status).toBe(201);
    return service('profiles').findByDocumentId(res.body.data.documentId);
  };

  /** A completed backup that finished `ago` ms ago: its record and an archive file of `size` bytes. */
  const pastBackup = async (profile: any, ago: number, { trigger = 'schedule', size = 1000 }: { trigger?: string; size?: number } = {}) => {
    const created = await service('records').create({ profile: profile.id, kind: 'backup', trigger, status: 'completed' });
    const finishedAt = new Date(Date.now() - ago);
    const archiveFile = service('storage').archiveName(profile.name, created.id, finishedAt, 'tar');
    fs.writeFileSync(path.join(http.app.backupsDir, archiveFile), Buffer.alloc(size));
    await service('records').update(created.id, { startedAt: finishedAt, finishedAt, archiveFile, archiveSize: size });
    return record(created.id);
  };

  /** A real backup through the queue and the app's worker. */
  const realBackup = async (profile: any) => {
    const { record: queued } = await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' });
    await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((await record(queued.id)).status), 60000, `record ${queued.id} to end`);
    const done = await record(queued.id);
    expect(done).toMatchObject({ status: 'completed', archiveFile: expect.stringMatching(/\.tar$/) });
    return done;
  };

  /** This profile's records that still have an archive, by id, and the files named after it. */
  const withArchive = async (profile: any) =>
    (
      await strapi()
        .db.query(RECORD)
        .findMany({ where: { profile: { id: profile.id }, archiveFile: { $notNull: true } }, select: ['id'], orderBy: { id: 'asc' } })
    ).map((r: any) => r.id);
  const filesOf = (profile: any) => archivesOnDisk().filter((name) => name.startsWith(`${profile.name.toLowerCase()}-`));

  beforeAll(async () => {
    http = await startHttpApp(dialect, 'retention', { BACKUP_POLL_MS: '200', BACKUP_RETENTION_CRON: CRON_RULE });
  }, 300000);

  afterAll(async () => {
    await http?.destroy();
  });

  it('10 backups with retainCount 3 leave the 3 newest and a kept one; records stay as history', async () => {
    const profile = await profileNamed('Ten', { retainCount: 3 });
    // Eight that finished hours ago, oldest first, then two real ones.
    const past = [];
    for (let i = 8; i >= 1; i -= 1) past.push(await pastBackup(profile, i * HOUR));
    const kept = past[1];
    const marked = await request('PUT', `/backup/records/${kept.documentId}/keep`, { body: { keep: true } });
    expect(marked).toMatchObject({ status: 200, body: { data: { id: kept.id, keep: true, archiveFile: kept.archiveFile } } });

    const real = [await realBackup(profile), await realBackup(profile)];
    const survivors = [kept.id, past[7].id, real[0].id, real[1].id];
    // Retention runs just after the record says completed.
    await waitFor(() => filesOf(profile).length === 4, 20000, 'retention after the second backup');
    expect(await withArchive(profile)).toEqual(survivors);
    expect(filesOf(profile)).toEqual([kept, past[7], ...real].map((r) => r.archiveFile).sort());
    for (const gone of past.filter((r) => !survivors.includes(r.id))) {
      expect(await record(gone.id)).toMatchObject({
        status: 'completed',
        archiveFile: null,
        message: `Archive ${gone.archiveFile} removed: the profile keeps its last 3.`,
      });
      expect(exists(gone.archiveFile)).toBe(false);
    }

    // No longer kept: the next pass lets it go like the others, once however many apply it at once.
    const unmarked = await request('PUT', `/backup/records/${kept.documentId}/keep`, { body: { keep: false } });
    expect(unmarked).toMatchObject({ status: 200, body: { data: { keep: false } } });
    const passes = await Promise.all([1, 2, 3].map(() => service('retention').apply(profile)));
    expect(passes.reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(exists(kept.archiveFile)).toBe(false);
    expect(await withArchive(profile)).toEqual(survivors.slice(1));
  });

  it('the keep route: 400 for a bad body or a restore, 404 for an unknown record, RBAC delete', async () => {
    const profile = await profileNamed('Keep route');
    const backup = await pastBackup(profile, HOUR);
    const keep = (body: unknown, documentId = backup.documentId, token?: string) => request('PUT', `/backup/records/${documentId}/keep`, { body, token });
    const bad: [unknown, RegExp][] = [
      [{}, /^keep is required and must be true or false$/],
      [{ keep: 'yes' }, /^keep is required and must be true or false$/],
      [{ keep: 1 }, /^keep is required and must be true or false$/],
      [{ keep: true, forever: true }, /^Unknown field in the request body: forever \(known: keep\)$/],
      [[true], /^The request body must be a JSON object\.$/],
    ];
    for (const [body, message] of bad) {
      const res = await keep(body);
      expect({ body, status: res.status, name: res.body.error?.name }).toEqual({ body, status: 400, name: 'ValidationError' });
      expect(res.body.error.message).toMatch(message);
    }
    expect((await keep({ keep: true }, 'nope')).body.error).toMatchObject({ status: 404, message: 'No backup record has the documentId “nope”.' });
    const restore = await service('records').create({ profile: profile.id, kind: 'restore', trigger: 'admin', status: 'cancelled' });
    expect((await keep({ keep: true }, restore.documentId)).body.error).toMatchObject({
      status: 400,
      message: `Record ${restore.id} is a restore; only a backup has an archive to keep.`,
    });

    const reader = await http.createAdmin('Reader', ['plugin::backup.read']);
    expect((await keep({ keep: true }, backup.documentId, reader)).status).toBe(403);
    const deleter = await http.createAdmin('Deleter', ['plugin::backup.read', 'plugin::backup.delete']);
    expect(await keep({ keep: true }, backup.documentId, deleter)).toMatchObject({ status: 200, body: { data: { keep: true } } });
    expect((await record(backup.id)).keep).toBe(true);
  });

  it('lowering retainCount through the update route prunes at once, without a backup; young safety backups stay', async () => {
    const profile = await profileNamed('Lowered');
    const regular = [];
    for (let i = 5; i >= 1; i -= 1) regular.push(await pastBackup(profile, i * HOUR));
    const youngPreUpdate = await pastBackup(profile, 29 * DAY, { trigger: 'pre-update' });
    const oldPreUpdate = await pastBackup(profile, 31 * DAY, { trigger: 'pre-update' });
    const recordsBefore = await strapi().db.query(RECORD).count();

    const res = await request('PUT', `/backup/profiles/${profile.documentId}`, { body: { retainCount: 2 } });
    expect(res).toMatchObject({ status: 200, body: { data: { retainCount: 2 } } });
    // Done by the time the update answers.
    expect(await withArchive(profile)).toEqual([regular[3].id, regular[4].id, youngPreUpdate.id].sort((a, b) => a - b));
    expect(filesOf(profile)).toEqual([regular[3], regular[4], youngPreUpdate].map((r) => r.archiveFile).sort());
    expect(await record(oldPreUpdate.id)).toMatchObject({
      archiveFile: null,
      message: `Archive ${oldPreUpdate.archiveFile} removed: the profile keeps its last 2.`,
    });
    expect(await strapi().db.query(RECORD).count()).toBe(recordsBefore);

    // Raising it brings nothing back and removes nothing; lowering it again prunes again.
    expect((await request('PUT', `/backup/profiles/${profile.documentId}`, { body: { retainCount: 4 } })).status).toBe(200);
    expect(filesOf(profile)).toHaveLength(3);
    expect((await request('PUT', `/backup/profiles/${profile.documentId}`, { body: { retainCount: 1 } })).status).toBe(200);
    expect(filesOf(profile)).toEqual([regular[4], youngPreUpdate].map((r) => r.archiveFile).sort());
    expect(await record(regular[3].id)).toMatchObject({
      archiveFile: null,
      message: `Archive ${regular[3].archiveFile} removed: the profile keeps its last 1.`,
    });
  });

  it('the daily cron job applies retainDays to backdated records, and reports orphan and missing archives, leaving orphans on disk', async () => {
    const spec = strapi().cron.jobs.find((job: { name: string | null }) => job.name === RETENTION_JOB);
    expect(spec?.options).toEqual({ rule: CRON_RULE });

    const profile = await profileNamed('Nightly', { retainDays: 7 });
    const kept = {
      newest: await pastBackup(profile, 1 * DAY, { size: 1100 }),
      recent: await pastBackup(profile, 3 * DAY, { size: 1200 }),
      youngPreUpdate: await pastBackup(profile, 10 * DAY, { trigger: 'pre-update', size: 1300 }),
    };
    const expired = {
      old: await pastBackup(profile, 10 * DAY),
      oldPreUpdate: await pastBackup(profile, 40 * DAY, { trigger: 'pre-update' }),
      oldPreRestore: await pastBackup(profile, 45 * DAY, { trigger: 'pre-restore' }),
    };
    const lost = await pastBackup(profile, 2 * DAY);
    fs.rmSync(path.join(http.app.backupsDir, lost.archiveFile));
    const orphans = [
      { name: 'copied-by-hand.tar', size: 7 },
      { name: 'nightly-20200101-000000-999999.tar.gz', size: 9 },
    ];
    for (const orphan of orphans) fs.writeFileSync(path.join(http.app.backupsDir, orphan.name), Buffer.alloc(orphan.size));
    fs.writeFileSync(path.join(http.app.backupsDir, 'notes.txt'), 'not an archive');

    const warn = jest.spyOn(strapi().log, 'warn');
    try {
      await spec!.job.invoke();
      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(warnings).toContain(
        `[backup] storage check: 2 archives in ${http.app.backupsDir} named by no record, left in place (delete by hand what is not needed): copied-by-hand.tar (7 B), nightly-20200101-000000-999999.tar.gz (9 B)`,
      );
      expect(warnings).toContain(
        `[backup] storage check: 1 record names an archive missing from ${http.app.backupsDir}: record ${lost.id} (${lost.archiveFile})`,
      );
    } finally {
      warn.mockRestore();
    }

    for (const r of Object.values(expired)) {
      expect(await record(r.id)).toMatchObject({
        status: 'completed',
        archiveFile: null,
        message: `Archive ${r.archiveFile} removed: the profile keeps 7 days of backups.`,
      });
      expect(exists(r.archiveFile)).toBe(false);
    }
    for (const r of Object.values(kept)) expect(exists(r.archiveFile)).toBe(true);
    expect(await withArchive(profile)).toEqual([...Object.values(kept), lost].map((r) => r.id).sort((a, b) => a - b));
    for (const orphan of orphans) expect(exists(orphan.name)).toBe(true);

    // The same report through the admin route, with the disk use.
    const res = await request('GET', '/backup/storage');
    expect(res.status).toBe(200);
    const report = res.body.data;
    expect(report.orphans).toEqual(orphans);
    expect(report.missing).toEqual([{ id: lost.id, documentId: lost.documentId, archiveFile: lost.archiveFile, profile: 'Nightly' }]);
    expect(report.profiles).toContainEqual({ profile: { documentId: profile.documentId, name: 'Nightly' }, archives: 3, bytes: 1100 + 1200 + 1300 });
    const sizes = archivesOnDisk().map((name) => fs.statSync(path.join(http.app.backupsDir, name)).size);
    expect(report.totalBytes).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(report.profiles.reduce((sum: number, p: { bytes: number }) => sum + p.bytes, 0)).toBe(report.totalBytes - 7 - 9);
    const disk = fs.statfsSync(http.app.backupsDir);
    expect(report.freeBytes).toBeGreaterThan(0);
    expect(report.freeBytes).toBeLessThanOrEqual(disk.blocks * disk.bsize);
    expect(report.directory).toBe(http.app.backupsDir);

    // Read with `read` alone; refused without it.
    const reader = await http.createAdmin('Storage reader', ['plugin::backup.read']);
    expect((await request('GET', '/backup/storage', { token: reader })).status).toBe(200);
    const nobody = await http.createAdmin('Storage nobody');
    expect((await request('GET', '/backup/storage', { token: nobody })).status).toBe(403);
  });
});
