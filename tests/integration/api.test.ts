/**
 * The admin REST API and the content-API routes over real HTTP, on every dialect: status codes,
 * bodies and messages, RBAC on every route, and the queue's answers under concurrent requests.
 * The app's worker is off (BACKUP_WORKER=false) so jobs stay queued unless a test starts it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { startHttpApp, type HttpApp } from '../helpers/http';
import { servicesOf } from '../helpers/strapi-app';
import { found } from '../helpers/results';

const RECORD = 'plugin::backup.record';
const FINAL = ['completed', 'failed', 'cancelled'];

/** A profile that backs up only the database: small and quick. */
const small = (name: string, data: Record<string, unknown> = {}) => ({
  name,
  includeUploads: false,
  includeProjectFiles: false,
  ...data,
});

describe.each(dialectsUnderTest())('admin REST API on %s', (dialect) => {
  let http: HttpApp;
  const service = servicesOf(() => http.app.strapi);
  const request = (method: string, url: string, options?: Parameters<HttpApp['request']>[2]) => http.request(method, url, options);
  const createProfile = async (name: string, data: Record<string, unknown> = {}) => {
    const res = await request('POST', '/backup/profiles', { body: small(name, data) });
    if (res.status !== 201) throw new Error(`create profile ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  };
  const many = (n: number, send: () => Promise<any>) => Promise.all(Array.from({ length: n }, send));
  const run = (profile?: string, token?: string) => request('POST', '/backup/runs', { body: profile ? { profile } : {}, token });

  beforeAll(async () => {
    http = await startHttpApp(dialect, 'api', { BACKUP_WORKER: 'false', BACKUP_POLL_MS: '200', BACKUP_HEARTBEAT_MS: '200' });
  }, 300000);

  afterAll(async () => {
    await http?.destroy();
  });

  // Each test starts with nothing queued or running.
  afterEach(async () => {
    await service('worker').stop(5000);
    const db = http.app.strapi.db.query(RECORD);
    for (const r of await db.findMany({ where: { status: { $in: ['queued', 'running'] } } })) await service('queue').cancel(r.id);
    await waitFor(async () => (await db.count({ where: { status: { $in: ['queued', 'running'] } } })) === 0, 15000, 'no active job');
  });

  it('100 concurrent runs of a cancel profile: exactly one 202, 99 409 busy', async () => {
    const profile = await createProfile('Cancel burst', { queueBehavior: 'cancel' });
    const answers = await many(100, () => run(profile.documentId));
    const accepted = answers.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].body).toMatchObject({
      data: { status: 'queued', kind: 'backup', trigger: 'admin', profile: { documentId: profile.documentId } },
      meta: { position: 0 },
      message: 'Backup of “Cancel burst” started.',
    });
    const rejected = answers.filter((r) => r.status === 409);
    expect(rejected).toHaveLength(99);
    for (const r of rejected) {
      expect(r.body).toMatchObject({
        data: null,
        error: { status: 409, name: 'ConflictError', details: { reason: 'busy', record: { id: accepted[0].body.data.id } } },
      });
      expect(r.body.error.message).toMatch(new RegExp(`^A backup of “Cancel burst” is (already running|about to start) \\(record ${accepted[0].body.data.id}`));
    }
  });

  it('through the content API with an API token: of 100 at once, 10 pass the rate limit and a queue profile of depth 3 accepts 4, in order', async () => {
    const profile = await createProfile('Token burst', { queueBehavior: 'queue', maxQueueDepth: 3 });
    const token = await http.createApiToken('deploy');
    const answers = await many(100, () => request('POST', '/api/backup/runs', { body: { profile: profile.documentId }, token }));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited).toHaveLength(90);
    expect(limited[0].body.error).toMatchObject({ name: 'RateLimitError', details: { retryAfter: expect.any(Number) } });
    expect(limited[0].body.error.message).toMatch(
      /^Too many backup requests with this API token: at most 10 every 60 s \(config\/plugins → backup\.config\.contentApi\.rateLimit\)\. Try again in \d+ s\.$/,
    );
    const accepted = answers.filter((r) => r.status === 202).sort((a, b) => a.body.data.id - b.body.data.id);
    expect(accepted.map((r) => r.body.meta.position)).toEqual([0, 1, 2, 3]);
    // The content API's answer leaves out who asked and where the job runs.
    expect(accepted.every((r) => r.body.data.trigger === 'api' && !('requestedBy' in r.body.data) && !('worker' in r.body.data))).toBe(true);
    expect(accepted[2].body.message).toBe('Backup queued — will start when the current backup completes (position 2 in the queue).');
    const rejected = answers.filter((r) => r.status === 409);
    expect(rejected).toHaveLength(6);
    expect(rejected.every((r) => r.body.error.details.reason === 'queue-full')).toBe(true);
    expect(rejected[0].body.error.message).toBe('The queue for “Token burst” is full (3 waiting). Try again when a backup has finished.');

    // Deploy scripts poll their record with the same token.
    const polled = await request('GET', `/api/backup/records/${accepted[1].body.data.documentId}`, { token });
    expect(polled).toMatchObject({ status: 200, body: { data: { id: accepted[1].body.data.id, status: 'queued' } } });
    expect((await request('GET', '/api/backup/records/nope', { token })).status).toBe(404);
    // Without a token the content API refuses: the public role of users-permissions has no access.
    expect((await request('POST', '/api/backup/runs', { body: {}, token: null })).status).toBe(403);
    expect((await request('POST', '/api/backup/runs', { body: {}, token: 'not-a-token' })).status).toBe(401);
  });

  it('one admin sending 4 requests on a queue profile: 2 accepted, 2 duplicate', async () => {
    const profile = await createProfile('Per admin', { queueBehavior: 'queue', maxQueueDepth: 5 });
    const answers = await many(4, () => run(profile.documentId));
    const accepted = answers.filter((r) => r.status === 202).sort((a, b) => a.body.meta.position - b.body.meta.position);
    expect(accepted.map((r) => r.body.meta.position)).toEqual([0, 1]);
    const duplicates = answers.filter((r) => r.status === 409);
    expect(duplicates.map((r) => r.body.error.details.reason)).toEqual(['duplicate', 'duplicate']);
    expect(duplicates[0].body.error.details.record.id).toBe(accepted[1].body.data.id);
    expect(duplicates[0].body.error.message).toMatch(/^You already have a backup of “Per admin” waiting/);
  });

  it('runs the default profile when none is given, and rejects bad run bodies with 400/404', async () => {
    const res = await run();
    expect(res.status).toBe(202);
    expect(res.body.data.profile.name).toBe('Full site');

    const bad: [unknown, number, RegExp][] = [
      [{ profile: 'nope' }, 404, /No backup profile has the documentId “nope”/],
      // The super admin holds plugin::backup.restore; a restore is asked for on a backup's record.
      [{ kind: 'restore' }, 400, /^A restore needs an archive: POST \/backup\/records\/:documentId\/restore/],
      [{ kind: 'snapshot' }, 400, /kind must be “backup”/],
      [{ profile: 42 }, 400, /profile must be the documentId/],
      [{ profile: '' }, 400, /profile must be the documentId/],
      [{ wait: true }, 400, /Unknown field in the request body: wait/],
      [[1, 2], 400, /must be a JSON object/],
    ];
    for (const [body, status, message] of bad) {
      const answer = await request('POST', '/backup/runs', { body });
      expect({ body, status: answer.status }).toEqual({ body, status });
      expect(answer.body.error.message).toMatch(message);
    }
    const malformed = await fetch(`${http.url}/backup/runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${http.adminToken}`, 'Content-Type': 'application/json' },
      body: '{"profile":',
    });
    expect(malformed.status).toBe(400);
  });

  it('preflight: a profile asking for encryption, an unusable directory and too little disk space refuse with 400', async () => {
    // Saved before encryption was refused at save time: its backups are refused, never written plain.
    const encrypted = await createProfile('Encrypted');
    await http.app.strapi.db.query('plugin::backup.profile').update({ where: { id: encrypted.id }, data: { encrypt: true } });
    const refused = await run(encrypted.documentId);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      'The profile “Encrypted” asks for encrypted archives, but encryption is not available yet in this version of the plugin; no unencrypted archive was written. Turn encrypt off on the profile.',
    );
    expect(await http.app.strapi.db.query(RECORD).count({ where: { profile: { id: encrypted.id } } })).toBe(0);

    // A directory that cannot exist: its parent is a file.
    const blocker = path.join(http.app.dir, 'blocker');
    fs.writeFileSync(blocker, 'x');
    const config = http.app.strapi.config;
    const before = config.get('plugin::backup.storage.directory');
    config.set('plugin::backup.storage.directory', path.join(blocker, 'backups'));
    try {
      const noDir = await run();
      expect(noDir.status).toBe(400);
      expect(noDir.body.error.message).toMatch(/^The backup directory .*blocker\/backups cannot be created: /);
    } finally {
      config.set('plugin::backup.storage.directory', before);
    }

    // The last archive of this profile was far larger than any disk here.
    const roomy = await createProfile('Huge last archive');
    const last = await service('records').create({ profile: roomy.id, kind: 'backup', trigger: 'cli' });
    await service('records').update(last.id, { status: 'completed', finishedAt: new Date() as any, archiveFile: 'x.tar', archiveSize: 10 ** 15 });
    const full = await run(roomy.documentId);
    expect(full.status).toBe(400);
    expect(full.body.error.message).toMatch(
      /^Only .* free in .*; the last backup of “Huge last archive” took 909\.5 TB, so this one needs about 1091\.4 TB\. Free some space/,
    );
    expect(await http.app.strapi.db.query(RECORD).count({ where: { profile: { id: roomy.id } } })).toBe(1);
  });

  it('profiles: create, list, update, delete', async () => {
    const created = await request('POST', '/backup/profiles', {
      body: {
        name: 'Nightly',
        description: 'Every night',
        queueBehavior: 'queue',
        maxQueueDepth: 5,
        includeDatabase: true,
        excludeTables: ['logs'],
        includeUploads: false,
        includeProjectFiles: true,
        schedule: '0 2 * * *',
        timezone: 'Europe/Paris',
        retainCount: 7,
        retainDays: null,
        format: 'tar.gz',
        encrypt: false,
        timeoutMinutes: 60,
        notify: { on: ['failed'], requester: true, emails: ['ops@example.com'], subject: 'Backup {status}', body: 'See {admin_url}' },
        isDefault: false,
      },
    });
    expect(created.status).toBe(201);
    const nightly = created.body.data;
    expect(nightly).toMatchObject({
      name: 'Nightly',
      maxQueueDepth: 5,
      excludeTables: ['logs'],
      schedule: '0 2 * * *',
      format: 'tar.gz',
      notify: { on: ['failed'], requester: true, emails: ['ops@example.com'], subject: 'Backup {status}', body: 'See {admin_url}' },
    });

    const list = await request('GET', '/backup/profiles');
    expect(list.status).toBe(200);
    expect(list.body.data[0]).toMatchObject({ name: 'Full site', isDefault: true });
    expect(list.body.data.map((p: any) => p.name)).toContain('Nightly');

    const updated = await request('PUT', `/backup/profiles/${nightly.documentId}`, {
      body: { name: ' Nightly 2 ', schedule: '', timezone: null, maxQueueDepth: 2 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({
      documentId: nightly.documentId,
      name: 'Nightly 2',
      schedule: null,
      timezone: null,
      maxQueueDepth: 2,
      format: 'tar.gz',
    });
    // Keeping its own name (any case) is not a clash.
    expect((await request('PUT', `/backup/profiles/${nightly.documentId}`, { body: { name: 'NIGHTLY 2' } })).status).toBe(200);

    // Making it the default takes the flag from the previous default.
    expect((await request('PUT', `/backup/profiles/${nightly.documentId}`, { body: { isDefault: true } })).body.data.isDefault).toBe(true);
    const [first, ...rest] = (await request('GET', '/backup/profiles')).body.data;
    expect(first.documentId).toBe(nightly.documentId);
    expect(rest.every((p: any) => !p.isDefault)).toBe(true);
    const fullSite = rest.find((p: any) => p.name === 'Full site');
    expect((await request('PUT', `/backup/profiles/${fullSite.documentId}`, { body: { isDefault: true } })).status).toBe(200);

    // Deleting keeps the records of the profile.
    const accepted = await run(nightly.documentId);
    expect(accepted.status).toBe(202);
    expect((await request('POST', `/backup/records/${accepted.body.data.documentId}/cancel`)).status).toBe(200);
    const deleted = await request('DELETE', `/backup/profiles/${nightly.documentId}`);
    expect(deleted).toMatchObject({ status: 200, body: { data: { documentId: nightly.documentId } } });
    expect((await request('GET', '/backup/profiles')).body.data.map((p: any) => p.name)).not.toContain('NIGHTLY 2');
    const kept = await request('GET', `/backup/records/${accepted.body.data.documentId}`);
    expect(kept).toMatchObject({ status: 200, body: { data: { status: 'cancelled', profile: null } } });
    expect((await request('DELETE', `/backup/profiles/${nightly.documentId}`)).status).toBe(404);
  });

  it('profiles: of 20 concurrent creates of one name (any case), the database lets exactly one win', async () => {
    const answers = await many(20, () => {
      const name = Math.random() < 0.5 ? 'Nightly race' : ' NIGHTLY RACE ';
      return request('POST', '/backup/profiles', { body: small(name) });
    });
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = answers.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.status)).toEqual(Array(19).fill(400));
    for (const r of refused) expect(r.body.error.message).toMatch(/^A backup profile named “(Nightly race|NIGHTLY RACE)” already exists\.$/);
    const listed = (await request('GET', '/backup/profiles')).body.data;
    expect(listed.filter((p: any) => p.name.trim().toLowerCase() === 'nightly race')).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('nameKey');
  });

  it('profiles: every invalid field is a 400 naming it', async () => {
    const other = await createProfile('Taken');
    const target = await createProfile('Target', { schedule: '0 3 * * *' });
    const cases: [string, unknown, RegExp][] = [
      ['POST', { name: 'X', colour: 'red' }, /Unknown field in the request body: colour/],
      ['POST', { name: 'X', id: 3 }, /Unknown field in the request body: id/],
      ['POST', ['a list'], /must be a JSON object/],
      ['POST', {}, /name is required/],
      ['POST', { name: '   ' }, /name must not be empty/],
      ['POST', { name: 42 }, /name must be a string/],
      ['POST', { name: 'x'.repeat(121) }, /name must be at most 120 characters/],
      ['POST', { name: 'taken' }, /A backup profile named “taken” already exists/],
      ['POST', { name: 'X', queueBehavior: 'wait' }, /queueBehavior must be one of: cancel, queue/],
      ['POST', { name: 'X', maxQueueDepth: 0 }, /maxQueueDepth must be an integer from 1 to 50/],
      ['POST', { name: 'X', maxQueueDepth: 51 }, /maxQueueDepth must be an integer from 1 to 50/],
      ['POST', { name: 'X', maxQueueDepth: '3' }, /maxQueueDepth must be an integer from 1 to 50/],
      ['POST', { name: 'X', maxQueueDepth: 1.5 }, /maxQueueDepth must be an integer from 1 to 50/],
      ['POST', { name: 'X', timeoutMinutes: 0 }, /timeoutMinutes must be an integer from 1 to 1440/],
      ['POST', { name: 'X', timeoutMinutes: 1441 }, /timeoutMinutes must be an integer from 1 to 1440/],
      ['POST', { name: 'X', includeDatabase: 'yes' }, /includeDatabase must be true or false/],
      ['POST', { name: 'X', includeUploads: 1 }, /includeUploads must be true or false/],
      ['POST', { name: 'X', includeProjectFiles: null }, /includeProjectFiles must be true or false/],
      ['POST', { name: 'X', includeEnv: false }, /^includeEnv is not a profile setting: .*config\/plugins → backup\.config\.includeEnv/],
      ['PUT', { includeEnv: true }, /^includeEnv is not a profile setting/],
      ['POST', { name: 'X', encrypt: 'on' }, /encrypt must be true or false/],
      ['POST', { name: 'X', encrypt: true }, /^encrypt: encryption is not available yet in this version of the plugin; archives are written unencrypted/],
      ['PUT', { encrypt: true }, /^encrypt: encryption is not available yet/],
      [
        'POST',
        { name: 'X', schedule: '* * * * * *' },
        /^schedule “\* \* \* \* \* \*” fires as often as every 1 s; a schedule may fire at most once every 1 min \(config\/plugins → backup\.config\.schedules\.minIntervalSeconds\)$/,
      ],
      ['PUT', { schedule: '*/20 * * * * *' }, /fires as often as every 20 s; a schedule may fire at most once every 1 min/],
      ['POST', { name: 'X', isDefault: 'yes' }, /isDefault must be true or false/],
      ['POST', { name: 'X', excludeTables: 'logs' }, /excludeTables must be a list of table names/],
      ['POST', { name: 'X', excludeTables: [1] }, /excludeTables must be a list of table names/],
      ['POST', { name: 'X', excludeTables: [''] }, /excludeTables must not contain empty names/],
      ['POST', { name: 'X', schedule: 'every night' }, /schedule “every night” is not a valid cron expression/],
      ['POST', { name: 'X', schedule: '61 * * * *' }, /schedule “61 \* \* \* \*” is not a valid cron expression/],
      ['POST', { name: 'X', schedule: 5 }, /schedule must be a cron expression/],
      ['POST', { name: 'X', timezone: 'Mars/Olympus' }, /timezone “Mars\/Olympus” is not a known IANA time zone/],
      ['POST', { name: 'X', schedule: '0 2 * * *', timezone: 'Nowhere/Land' }, /timezone “Nowhere\/Land” is not a known IANA time zone/],
      ['POST', { name: 'X', retainCount: -1 }, /retainCount must be an integer from 0 to 100000/],
      ['POST', { name: 'X', retainDays: 'week' }, /retainDays must be an integer from 0 to 100000/],
      ['POST', { name: 'X', format: 'zip' }, /format must be one of: tar, tar.gz/],
      ['POST', { name: 'X', notify: 'always' }, /notify must be an object/],
      [
        'POST',
        { name: 'X', notify: { on: ['failed'], requester: true, emails: [], subject: 'Hi {name}', body: 'B' } },
        /notify\.subject: unknown placeholder \{name\}/,
      ],
      ['POST', { name: 'X', description: 7 }, /description must be a string/],
      ['POST', { name: 'X', maxQueueDepth: 0, format: 'zip' }, /maxQueueDepth must be an integer from 1 to 50; format must be one of/],
      ['PUT', { name: 'TAKEN' }, /A backup profile named “TAKEN” already exists/],
      ['PUT', { maxQueueDepth: 99 }, /maxQueueDepth must be an integer from 1 to 50/],
      ['PUT', { timezone: 'Bad/Zone' }, /timezone “Bad\/Zone” is not a known IANA time zone/],
      ['PUT', { schedule: '* * *' }, /schedule “\* \* \*” is not a valid cron expression/],
      ['PUT', { documentId: 'abc' }, /Unknown field in the request body: documentId/],
    ];
    for (const [method, body, message] of cases) {
      const url = method === 'POST' ? '/backup/profiles' : `/backup/profiles/${target.documentId}`;
      const res = await request(method, url, { body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error).toMatchObject({ status: 400, name: 'ValidationError' });
      expect(res.body.error.message).toMatch(message);
    }
    expect((await request('GET', '/backup/profiles')).body.data.filter((p: any) => p.name === 'X')).toEqual([]);
    expect((await request('PUT', '/backup/profiles/nope', { body: { name: 'Y' } })).status).toBe(404);
    // A JSON string is refused by Strapi's body parser before the controller, still as a 400.
    expect((await request('POST', '/backup/profiles', { body: 'just text' })).status).toBe(400);
    // The default profile keeps its flag until another takes it.
    const fullSite = (await request('GET', '/backup/profiles')).body.data.find((p: any) => p.isDefault);
    const off = await request('PUT', `/backup/profiles/${fullSite.documentId}`, { body: { isDefault: false } });
    expect(off.status).toBe(400);
    expect(off.body.error.message).toMatch(/isDefault cannot be turned off on the default profile/);
    // Nothing refused wrote anything: both profiles are as they were created, updatedAt included.
    const listed = (await request('GET', '/backup/profiles')).body.data;
    expect(listed.find((p: any) => p.documentId === target.documentId)).toMatchObject(target);
    expect(listed.find((p: any) => p.documentId === other.documentId)).toMatchObject(other);
  });

  it('profiles: delete is refused while jobs are pending (409) and for the default profile (400)', async () => {
    const busy = await createProfile('Busy', { queueBehavior: 'queue' });
    const [first, second] = [
      await run(busy.documentId),
      await request('POST', '/api/backup/runs', { body: { profile: busy.documentId }, token: await http.createApiToken('delete-test') }),
    ];
    expect([first.status, second.status]).toEqual([202, 202]);
    const refused = await request('DELETE', `/backup/profiles/${busy.documentId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ status: 409, name: 'ConflictError', details: { pending: 2 } });
    expect(refused.body.error.message).toBe('“Busy” has 2 queued or running jobs; cancel them or wait for them to finish before deleting the profile.');
    expect((await request('GET', '/backup/profiles')).body.data.map((p: any) => p.name)).toContain('Busy');

    const fullSite = (await request('GET', '/backup/profiles')).body.data.find((p: any) => p.isDefault);
    const defaultRefused = await request('DELETE', `/backup/profiles/${fullSite.documentId}`);
    expect(defaultRefused.status).toBe(400);
    expect(defaultRefused.body.error.message).toMatch(/is the default profile and cannot be deleted/);
  });

  it('records: list with filters and pagination, get, cancel', async () => {
    const profile = await createProfile('Listed', { queueBehavior: 'queue', maxQueueDepth: 10 });
    const token = await http.createApiToken('records-test');
    const made = [];
    for (let i = 0; i < 5; i += 1) made.push((await request('POST', '/api/backup/runs', { body: { profile: profile.documentId }, token })).body.data);

    const page1 = await request('GET', `/backup/records?profile=${profile.documentId}&pageSize=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.meta.pagination).toEqual({ page: 1, pageSize: 2, total: 5, pageCount: 3 });
    expect(page1.body.data.map((r: any) => r.id)).toEqual([made[4].id, made[3].id]);
    const page3 = await request('GET', `/backup/records?profile=${profile.documentId}&pageSize=2&page=3`);
    expect(page3.body.data.map((r: any) => r.id)).toEqual([made[0].id]);

    const got = await request('GET', `/backup/records/${made[2].documentId}`);
    expect(got).toMatchObject({ status: 200, body: { data: { id: made[2].id, status: 'queued', profile: { name: 'Listed' } } } });
    expect((await request('GET', '/backup/records/unknown-document')).status).toBe(404);

    const cancelled = await request('POST', `/backup/records/${made[2].documentId}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { data: { id: made[2].id, status: 'cancelled', statusReason: 'user' } } });
    const again = await request('POST', `/backup/records/${made[2].documentId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`Record ${made[2].id} has already ended (cancelled); there is nothing to cancel.`);
    expect((await request('POST', '/backup/records/unknown-document/cancel')).status).toBe(404);

    const byStatus = await request('GET', `/backup/records?profile=${profile.documentId}&status=cancelled&kind=backup`);
    expect(byStatus.body.data.map((r: any) => r.id)).toEqual([made[2].id]);
    expect((await request('GET', `/backup/records?profile=${profile.documentId}&status=queued`)).body.meta.pagination.total).toBe(4);
    expect((await request('GET', '/backup/records?profile=nope')).body).toMatchObject({ data: [], meta: { pagination: { total: 0 } } });

    const badQueries: [string, RegExp][] = [
      ['status=done', /status must be one of: queued, running, completed, failed, cancelled/],
      ['kind=copy', /kind must be one of: backup, restore/],
      ['page=0', /page must be an integer from 1/],
      ['page=abc', /page must be an integer from 1/],
      ['pageSize=1000', /pageSize must be an integer from 1 to 100/],
      ['sort=id', /Unknown query parameter: sort/],
      ['status=queued&status=failed', /status must be one of/],
    ];
    for (const [query, message] of badQueries) {
      const res = await request('GET', `/backup/records?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('records: download streams the archive; delete removes archive and record', async () => {
    const profile = await createProfile('Downloadable', { format: 'tar.gz' });
    const accepted = await run(profile.documentId);
    expect(accepted.status).toBe(202);
    const { documentId, id } = accepted.body.data;
    // Not yet: a queued record has no archive, and cannot be deleted.
    expect((await request('GET', `/backup/records/${documentId}/download`)).status).toBe(404);
    const early = await request('DELETE', `/backup/records/${documentId}`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe(`Record ${id} is queued; cancel it or wait for it to end before deleting it.`);

    service('worker').start();
    await waitFor(async () => FINAL.includes(found(await service('records').findById(id), `record ${id}`).status), 60000, 'the backup to end');
    const done = (await request('GET', `/backup/records/${documentId}`)).body.data;
    expect(done.status).toBe('completed');
    const file = path.join(http.app.backupsDir, done.archiveFile);

    const download = await request('GET', `/backup/records/${documentId}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${done.archiveFile}"`);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(download.headers.get('content-length')).toBe(String(fs.statSync(file).size));
    expect(download.headers.get('cache-control')).toBe('no-store');
    expect(download.bytes.equals(fs.readFileSync(file))).toBe(true);

    // What the admin's browser does: a signed link, then a plain GET without the admin's token.
    const link = await request('POST', `/backup/records/${documentId}/download-link`);
    expect(link.status).toBe(200);
    expect(link.body.data.url).toMatch(/^\/backup\/downloads\/[\w-]+\.[\w-]+$/);
    const viaLink = await request('GET', link.body.data.url, { token: null });
    expect(viaLink.status).toBe(200);
    expect(viaLink.headers.get('content-disposition')).toBe(`attachment; filename="${done.archiveFile}"`);
    expect(viaLink.bytes.equals(fs.readFileSync(file))).toBe(true);
    expect(viaLink.headers.get('cache-control')).toBe('no-store');
    const [payload, signature] = link.body.data.url.split('/').pop().split('.');
    const adminId = (await http.app.strapi.db.query('admin::user').findOne({ where: { email: 'admin@example.test' } })).id;
    const forged = `${Buffer.from(JSON.stringify({ r: documentId, u: adminId, e: Date.now() + 3600000 })).toString('base64url')}.${signature}`;
    const expired = service('downloadLinks').issue(documentId, adminId, Date.now() - 120000).token;
    for (const token of [forged, `${payload}.${signature.slice(1)}x`, expired, 'nonsense', `${payload}.${signature}.more`]) {
      const refused = await request('GET', `/backup/downloads/${token}`, { token: null });
      expect({ token, status: refused.status }).toEqual({ token, status: 403 });
      expect(refused.body.error.message).toBe('This download link is invalid or has expired; download the archive again from the admin panel.');
    }

    const summary = await request('GET', '/backup/summary');
    expect(summary.body.data.lastCompleted).toMatchObject({ id, archiveFile: done.archiveFile });

    const deleted = await request('DELETE', `/backup/records/${documentId}`);
    expect(deleted).toMatchObject({ status: 200, body: { data: { id } } });
    expect(fs.existsSync(file)).toBe(false);
    expect((await request('GET', `/backup/records/${documentId}`)).status).toBe(404);
    expect((await request('GET', `/backup/records/${documentId}/download`)).status).toBe(404);
    expect((await request('DELETE', `/backup/records/${documentId}`)).status).toBe(404);
  });

  it('summary: queued count, running jobs with progress, last completed and last failed', async () => {
    const profile = await createProfile('Summarised', { queueBehavior: 'queue' });
    const records = service('records');
    const ids = [(await run(profile.documentId)).body.data.id, (await run(profile.documentId)).body.data.id];
    // As if a worker were running the first one.
    await records.update(ids[0], { status: 'running', startedAt: new Date() as any, progress: { percent: 42, step: 'database' } });
    const later = new Date(Date.now() + 86400000) as any;
    const completed = await records.create({ profile: profile.id, kind: 'backup', trigger: 'cli' });
    await records.update(completed.id, { status: 'completed', finishedAt: later, archiveFile: 'summarised.tar', archiveSize: 10 });
    const failed = await records.create({ profile: profile.id, kind: 'backup', trigger: 'cli' });
    await records.update(failed.id, { status: 'failed', statusReason: 'error', finishedAt: later, message: 'disk full' });

    const res = await request('GET', '/backup/summary');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      queued: 1,
      running: [{ id: ids[0], progress: { percent: 42, step: 'database' }, profile: { name: 'Summarised' } }],
      lastCompleted: { id: completed.id },
      lastFailed: { id: failed.id, message: 'disk full' },
    });
    expect(res.body.data.running).toHaveLength(1);
    expect(res.body.data.restorePending).toBe(false);
    // What the Content Manager warns about: a restore queued (or running) anywhere.
    const restore = await records.create({ profile: profile.id, kind: 'restore', trigger: 'cli' });
    expect((await request('GET', '/backup/summary')).body.data.restorePending).toBe(true);
    await records.update(restore.id, { status: 'cancelled', finishedAt: new Date() as any });
    expect((await request('GET', '/backup/summary')).body.data.restorePending).toBe(false);
    await records.update(ids[0], { status: 'cancelled', finishedAt: new Date() as any });
  });

  it('schedule preview: the next three runs in the time zone, or what is wrong, from the checks a save runs', async () => {
    const preview = (query: string) => request('GET', `/backup/schedule-preview?${query}`);
    const paris = await preview(`schedule=${encodeURIComponent('0 3 * * *')}&timezone=Europe/Paris`);
    expect(paris.status).toBe(200);
    expect(paris.body.data).toMatchObject({ schedule: '0 3 * * *', timezone: 'Europe/Paris', problem: null });
    expect(paris.body.data.next).toHaveLength(3);
    for (const iso of paris.body.data.next) {
      expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(iso))).toBe('03:00');
    }
    const bad = await preview(`schedule=${encodeURIComponent('61 * * * *')}`);
    expect(bad.body.data).toMatchObject({ problem: expect.stringMatching(/schedule “61 \* \* \* \*” is not a valid cron expression/), next: [] });
    const zone = await preview(`schedule=${encodeURIComponent('0 3 * * *')}&timezone=Nowhere/Land`);
    expect(zone.body.data.problem).toMatch(/timezone “Nowhere\/Land” is not a known IANA time zone/);
    for (const query of ['', 'schedule=', 'schedule=x&other=1']) expect((await preview(query)).status).toBe(400);
  });

  it('records name their requester; verify checks the archive of a record', async () => {
    const profile = await createProfile('Verified', { includeUploads: false, includeProjectFiles: false });
    const { documentId, id } = (await run(profile.documentId)).body.data;
    const listed = (await request('GET', `/backup/records?profile=${profile.documentId}`)).body.data[0];
    expect(listed.requester).toEqual({ id: expect.any(Number), name: 'Ada Admin' });
    expect((await request('POST', `/backup/records/${documentId}/verify`)).status).toBe(404);

    service('worker').start();
    await waitFor(async () => FINAL.includes(found(await service('records').findById(id), `record ${id}`).status), 60000, 'the backup to end');
    const verified = await request('POST', `/backup/records/${documentId}/verify`);
    expect(verified.status).toBe(200);
    expect(verified.body.data).toMatchObject({ ok: true, errors: [] });
    expect(verified.body.data.sha256).toBe((await request('GET', `/backup/records/${documentId}`)).body.data.archiveSha256);
  });

  it('every admin route: 401 without a token or with an API token, 403 without its action', async () => {
    const profile = await createProfile('Guarded');
    const record = (await run(profile.documentId)).body.data;
    const routes: [string, string, unknown?][] = [
      ['GET', '/backup/profiles'],
      ['POST', '/backup/profiles', { name: 'Sneaky' }],
      ['PUT', `/backup/profiles/${profile.documentId}`, { name: 'Sneaky' }],
      ['DELETE', `/backup/profiles/${profile.documentId}`],
      ['POST', '/backup/runs', {}],
      ['GET', '/backup/records'],
      ['GET', `/backup/records/${record.documentId}`],
      ['POST', `/backup/records/${record.documentId}/cancel`],
      ['GET', `/backup/records/${record.documentId}/download`],
      ['POST', `/backup/records/${record.documentId}/download-link`],
      ['DELETE', `/backup/records/${record.documentId}`],
      ['PUT', `/backup/records/${record.documentId}/keep`, { keep: true }],
      ['GET', '/backup/summary'],
      ['GET', '/backup/storage'],
      ['POST', `/backup/records/${record.documentId}/verify`],
      ['GET', '/backup/schedule-preview?schedule=0%203%20*%20*%20*'],
    ];
    const noRights = await http.createAdmin('Nobody');
    const apiToken = await http.createApiToken('not-for-admin');
    for (const [method, url, body] of routes) {
      const anonymous = await request(method, url, { body, token: null });
      const forbidden = await request(method, url, { body, token: noRights });
      const withApiToken = await request(method, url, { body, token: apiToken });
      expect({ method, url, statuses: [anonymous.status, forbidden.status, withApiToken.status] }).toEqual({ method, url, statuses: [401, 403, 401] });
      expect(forbidden.body.error).toMatchObject({ status: 403, name: 'PolicyError' });
    }
    // A role with only `read` reads but cannot run, cancel, download or delete.
    const reader = await http.createAdmin('Reader', ['plugin::backup.read']);
    const statuses = [];
    for (const [method, url, body] of routes) statuses.push((await request(method, url, { body, token: reader })).status);
    // verify answers 404 here only because a queued record has no archive yet.
    expect(statuses).toEqual([200, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403, 403, 200, 200, 404, 403]);
    // Nothing changed.
    expect((await request('GET', `/backup/records/${record.documentId}`)).body.data).toMatchObject({ status: 'queued', keep: false });
    expect((await request('GET', '/backup/profiles')).body.data.map((p: any) => p.name)).not.toContain('Sneaky');
  });
});
