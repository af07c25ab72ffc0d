/**
 * What a careful operator relies on, over real HTTP on every dialect: which token or admin may do
 * what (content API, restore, download links), verify under load, encryption and `.env` settings
 * that do what they say, schedules that cannot flood the queue, private files, and nothing left
 * on disk by a job that died.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeTar } from '../helpers/archive';
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { startHttpApp, type HttpApp } from '../helpers/http';
import { ACTIONS } from '../../shared/constants';
import { verifyArchive } from '../../server/src/engine';
import { servicesOf } from '../helpers/strapi-app';
import { accepted, found } from '../helpers/results';

const FINAL = ['completed', 'failed', 'cancelled'];
/** What the content API may show of a record: no requester, no worker, no table names. */
const CONTENT_API_RECORD_KEYS = [
  'archiveFile',
  'archiveSha256',
  'archiveSize',
  'documentId',
  'encrypted',
  'finishedAt',
  'id',
  'kind',
  'message',
  'profile',
  'progress',
  'queuedAt',
  'startedAt',
  'status',
  'statusReason',
  'trigger',
];

describe.each(dialectsUnderTest())('hardening on %s', (dialect) => {
  let http: HttpApp;
  const service = servicesOf(() => http.app.strapi);
  const request = (method: string, url: string, options?: Parameters<HttpApp['request']>[2]) => http.request(method, url, options);
  const createProfile = async (name: string, data: Record<string, unknown> = {}) => {
    const res = await request('POST', '/backup/profiles', { body: { name, includeUploads: false, includeProjectFiles: false, ...data } });
    if (res.status !== 201) throw new Error(`create profile ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  };
  /** Runs a backup of `profile` through the queue and this app's worker, to its end. */
  const backUp = async (profile: { id: number }) => {
    const result = await service('queue').enqueue({
      profile: found(await service('profiles').findById(profile.id), `profile ${profile.id}`),
      kind: 'backup',
      trigger: 'cli',
    });
    expect(result.accepted).toBe(true);
    const { id } = accepted(result).record;
    service('worker').start();
    let record: any;
    await waitFor(async () => FINAL.includes((record = found(await service('records').findById(id), `record ${id}`)).status), 60000, 'the backup to end');
    await service('worker').stop(5000);
    return record;
  };

  beforeAll(async () => {
    http = await startHttpApp(dialect, 'hardening', { BACKUP_WORKER: 'false', BACKUP_POLL_MS: '200', BACKUP_HEARTBEAT_MS: '200' });
  }, 300000);

  afterAll(async () => {
    await http?.destroy();
  });

  it('ships a default profile that keeps its newest 10 archives', async () => {
    const fullSite = (await request('GET', '/backup/profiles')).body.data.find((p: any) => p.isDefault);
    expect(fullSite).toMatchObject({ name: 'Full site', retainCount: 10 });
  });

  it('content API: a read-only token is refused, a custom token needs each action, answers leave out who asked and where it ran', async () => {
    const profile = await createProfile('Deploys', { queueBehavior: 'queue' });
    const asked = await request('POST', '/backup/runs', { body: { profile: profile.documentId } });
    expect(asked.status).toBe(202);
    const documentId = asked.body.data.documentId;
    await service('records').update(asked.body.data.id, { worker: 'web-1:4242', stats: { tables: { admin_users: 1 }, files: 0, bytes: 0 } });

    // Strapi lets a read-only token call any action named find/findOne: these are not.
    const readOnly = await http.createApiToken('frontend', { type: 'read-only' });
    expect((await request('GET', `/api/backup/records/${documentId}`, { token: readOnly })).status).toBe(403);
    expect((await request('POST', '/api/backup/runs', { body: {}, token: readOnly })).status).toBe(403);

    const reader = await http.createApiToken('status-only', { type: 'custom', permissions: ['plugin::backup.api.getRecord'] });
    const read = await request('GET', `/api/backup/records/${documentId}`, { token: reader });
    expect(read.status).toBe(200);
    expect(Object.keys(read.body.data).sort()).toEqual(CONTENT_API_RECORD_KEYS);
    expect(read.body.data).toMatchObject({ documentId, status: 'queued', trigger: 'admin', profile: { name: 'Deploys' } });
    expect(JSON.stringify(read.body)).not.toMatch(/admin@example\.test|web-1|4242|admin_users/);
    expect((await request('POST', '/api/backup/runs', { body: { profile: profile.documentId }, token: reader })).status).toBe(403);

    const runner = await http.createApiToken('runs-only', { type: 'custom', permissions: ['plugin::backup.api.createRun'] });
    const ran = await request('POST', '/api/backup/runs', { body: { profile: profile.documentId }, token: runner });
    expect(ran.status).toBe(202);
    expect(Object.keys(ran.body.data).sort()).toEqual(CONTENT_API_RECORD_KEYS);
    expect((await request('GET', `/api/backup/records/${documentId}`, { token: runner })).status).toBe(403);

    // A restore never comes through the content API, whatever the token.
    const full = await http.createApiToken('full');
    const restore = await request('POST', '/api/backup/runs', { body: { kind: 'restore' }, token: full });
    expect(restore.status).toBe(400);
    expect(restore.body.error.message).toBe(
      'A restore cannot be requested through the content API, whatever the token; use the admin panel or the strapi-backup CLI.',
    );
    for (const id of [asked.body.data.id, ran.body.data.id]) await service('queue').cancel(id);
  });

  it('admin API: a restore needs plugin::backup.restore, a backup plugin::backup.run', async () => {
    const runner = await http.createAdmin('Runner', [ACTIONS.read, ACTIONS.run]);
    const restorer = await http.createAdmin('Restorer', [ACTIONS.read, ACTIONS.restore]);
    const profile = await createProfile('Permissions');
    const post = (token: string, body: Record<string, unknown>) => request('POST', '/backup/runs', { body: { profile: profile.documentId, ...body }, token });

    const restoreByRunner = await post(runner, { kind: 'restore' });
    expect(restoreByRunner.status).toBe(403);
    expect(restoreByRunner.body.error).toMatchObject({ status: 403, name: 'PolicyError' });
    expect((await post(restorer, { kind: 'backup' })).status).toBe(403);
    expect((await post(restorer, {})).status).toBe(403);
    // Past the permission: a restore is asked for on a backup's record.
    const restoreByRestorer = await post(restorer, { kind: 'restore' });
    expect(restoreByRestorer.status).toBe(400);
    expect(restoreByRestorer.body.error.message).toMatch(/^A restore needs an archive/);
    const backup = await post(runner, {});
    expect(backup.status).toBe(202);
    await service('queue').cancel(backup.body.data.id);
    expect(await http.app.strapi.db.query('plugin::backup.record').count({ where: { kind: 'restore' } })).toBe(0);
  });

  it('download links: bound to the admin who asked, dead once that admin loses the permission, never cached', async () => {
    const record = await backUp(await createProfile('Linked'));
    expect(record.status).toBe('completed');
    const downloader = await http.createAdmin('Downloader', [ACTIONS.read, ACTIONS.download]);
    const link = await request('POST', `/backup/records/${record.documentId}/download-link`, { token: downloader });
    expect(link.status).toBe(200);
    const first = await request('GET', link.body.data.url, { token: null });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.bytes.equals(fs.readFileSync(path.join(http.app.backupsDir, record.archiveFile)))).toBe(true);

    await http.setRolePermissions('Downloader', [ACTIONS.read]);
    const refused = await request('GET', link.body.data.url, { token: null });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('The admin this download link was issued to may no longer download archives.');
  });

  it('verify: one at a time per archive (409 with its progress), and it stops reading when the client leaves', async () => {
    // A 6 GB sparse entry: seconds of reading and hashing, no disk used.
    const profile = await createProfile('Verified');
    const name = `verified-sparse-${dialect}.tar`;
    const file = path.join(http.app.backupsDir, name);
    await writeTar(file, [{ name: 'manifest.json', data: Buffer.from('{}') }]);
    const size = 6 * 1024 ** 3;
    const header = Buffer.alloc(512);
    header.write('uploads/big.bin', 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('0', 156);
    header.write('ustar\x0000', 257);
    header.write('        ', 148);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
    fs.writeFileSync(file, header);
    fs.truncateSync(file, 512 + size + 1024);
    const records = service('records');
    const created = await records.create({ profile: profile.id, kind: 'backup', trigger: 'cli' });
    await records.update(created.id, { status: 'completed', finishedAt: new Date().toISOString(), archiveFile: name, archiveSize: 512 + size + 1024 });

    const leaving = new AbortController();
    const firstAnswer = fetch(`${http.url}/backup/records/${created.documentId}/verify`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${http.adminToken}` },
      signal: leaving.signal,
    }).catch((error: Error) => error);
    await waitFor(() => (service('verifications').running()[created.documentId]?.read ?? 0) > 0, 30000, 'the verify to read');

    const second = await request('POST', `/backup/records/${created.documentId}/verify`);
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(new RegExp(`^A verify of record ${created.id} is already running \\(\\d+% read\\); wait for its answer\\.$`));
    expect(second.body.error.details.progress).toMatchObject({ size: 512 + size + 1024, percent: expect.any(Number) });

    leaving.abort();
    expect(await firstAnswer).toMatchObject({ name: 'AbortError' });
    let lastRead = 0;
    await waitFor(
      () => {
        const running = service('verifications').running()[created.documentId];
        if (running) lastRead = running.read;
        return !running;
      },
      10000,
      'the verify to stop',
    );
    // It stopped early, not at the end of the file.
    expect(lastRead).toBeLessThan(size / 2);
    fs.rmSync(file);
  });

  it('encryption: a profile that asked for it never gets a plain archive, whichever door queued the job', async () => {
    const profile = await createProfile('Asked to encrypt');
    await http.app.strapi.db.query('plugin::backup.profile').update({ where: { id: profile.id }, data: { encrypt: true } });
    const before = fs.readdirSync(http.app.backupsDir);
    // The queue itself (a schedule or the CLI) skips the admin's preflight: the runner refuses too.
    const record = await backUp(profile);
    expect(record).toMatchObject({ status: 'failed', statusReason: 'error', archiveFile: null });
    expect(record.message).toBe(
      'The profile “Asked to encrypt” asks for encrypted archives, but encryption is not available yet in this version of the plugin; no unencrypted archive was written. Turn encrypt off on the profile.',
    );
    expect(fs.readdirSync(http.app.backupsDir)).toEqual(before);
  });

  it('.env: off unless the server config says so, shown to the admin, archived when on', async () => {
    const listed = await request('GET', '/backup/profiles');
    expect(listed.body.meta).toEqual({ includeEnv: false });
    fs.writeFileSync(path.join(http.app.dir, '.env.example'), 'EXAMPLE=1\n');
    const profile = await createProfile('With files', { includeProjectFiles: true });
    const entries = async (record: any) => (await verifyArchive(path.join(http.app.backupsDir, record.archiveFile))).manifest!.files.map((f) => f.path);
    const off = await backUp(profile);
    expect(await entries(off)).not.toContain('files/.env');
    http.app.strapi.config.set('plugin::backup.includeEnv', true);
    try {
      expect((await request('GET', '/backup/profiles')).body.meta).toEqual({ includeEnv: true });
      const on = await backUp(profile);
      expect(await entries(on)).toEqual(expect.arrayContaining(['files/.env', 'files/.env.example']));
    } finally {
      http.app.strapi.config.set('plugin::backup.includeEnv', false);
    }
  });

  it('schedules: a rule firing more often than the configured minimum is refused at save and in the preview, and one saved before never runs', async () => {
    const config = http.app.strapi.config;
    config.set('plugin::backup.schedules.minIntervalSeconds', 3600);
    try {
      const refused = await request('POST', '/backup/profiles', { body: { name: 'Half-hourly', schedule: '*/30 * * * *' } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toBe(
        'schedule “*/30 * * * *” fires as often as every 30 min; a schedule may fire at most once every 60 min (config/plugins → backup.config.schedules.minIntervalSeconds)',
      );
      const preview = await request('GET', `/backup/schedule-preview?schedule=${encodeURIComponent('*/30 * * * *')}`);
      expect(preview.body.data).toMatchObject({ problem: expect.stringMatching(/at most once every 60 min/), next: [] });
      expect((await request('POST', '/backup/profiles', { body: { name: 'Hourly', schedule: '0 * * * *', includeUploads: false } })).status).toBe(201);
    } finally {
      config.set('plugin::backup.schedules.minIntervalSeconds', 60);
    }
    // Written before the rule existed: the scheduler leaves it off instead of firing every second.
    const legacy = await createProfile('Every second');
    await http.app.strapi.db.query('plugin::backup.profile').update({ where: { id: legacy.id }, data: { schedule: '* * * * * *' } });
    await service('scheduler').syncAll();
    expect(service('scheduler').registeredJobs()).not.toContain(`backup-schedule-${legacy.documentId}`);
    expect(service('scheduler').registeredJobs().length).toBeGreaterThan(0); // the hourly one is registered
  });

  it('a finished archive whose record cannot be written is removed; written on a retry, it is kept', async () => {
    const queue = service('queue');
    const finish = queue.finish;
    const profile = await createProfile('Flaky database');
    let failures = 0;
    const failCompleted = (times: number) => {
      queue.finish = async (id, data) => {
        if (data.status === 'completed' && failures < times) {
          failures += 1;
          throw new Error('Connection terminated unexpectedly');
        }
        return finish.call(queue, id, data);
      };
    };
    try {
      failCompleted(1);
      const retried = await backUp(profile);
      expect(retried.status).toBe('completed');
      expect(fs.existsSync(path.join(http.app.backupsDir, retried.archiveFile))).toBe(true);

      failures = 0;
      failCompleted(Infinity);
      const before = fs.readdirSync(http.app.backupsDir);
      const lost = await backUp(profile);
      expect(lost).toMatchObject({ status: 'failed', statusReason: 'error', archiveFile: null });
      expect(lost.message).toBe('The archive was written but could not be recorded (Connection terminated unexpectedly); it was removed.');
      expect(fs.readdirSync(http.app.backupsDir)).toEqual(before);
    } finally {
      queue.finish = finish;
    }
  });

  it('files: a private directory with a .gitignore, private archives; at boot, what dead jobs left is removed and a running job’s kept', async () => {
    const record = await backUp(await createProfile('Private'));
    const dir = http.app.backupsDir;
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, record.archiveFile)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);

    // A job running on another instance, and one that died with a boot (its record long ended).
    const records = service('records');
    const alive = await records.create({ profile: record.profile.id, kind: 'backup', trigger: 'cli' });
    await records.update(alive.id, { status: 'running', startedAt: new Date().toISOString(), heartbeatAt: new Date().toISOString(), worker: 'other-host:1' });
    const dead = await records.create({ profile: record.profile.id, kind: 'backup', trigger: 'pre-update' });
    await records.update(dead.id, { status: 'failed', finishedAt: new Date().toISOString() });
    const files = (id: number) => [path.join(dir, '.tmp', `job-${id}`, 'snapshot.sqlite'), path.join(dir, `private-20260101-000000-${id}.tar.partial`)];
    for (const file of [...files(alive.id), ...files(dead.id), ...files(987654)]) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'left behind');
    }

    await http.app.stop();
    await http.app.boot({ compile: false });
    for (const file of [...files(dead.id), ...files(987654)]) expect({ file, exists: fs.existsSync(file) }).toEqual({ file, exists: false });
    expect(fs.existsSync(path.join(dir, '.tmp', `job-${dead.id}`))).toBe(false);
    for (const file of files(alive.id)) expect({ file, exists: fs.existsSync(file) }).toEqual({ file, exists: true });
    expect(fs.existsSync(path.join(dir, record.archiveFile))).toBe(true);
  });
});
