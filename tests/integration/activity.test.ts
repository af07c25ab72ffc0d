/**
 * GET /backup/activity over real HTTP, on every dialect: what the Content Manager warning reads for
 * every editor. An admin whose role has no permission at all gets three booleans, and nothing else,
 * that follow the queue. The app's worker is off (BACKUP_WORKER=false): jobs stay queued until the
 * test claims them, and a claimed job stays running (no worker runs it) until the test ends it.
 */
import { describeTables } from '../../server/src/engine/introspect';
import { dialectsUnderTest } from '../helpers/databases';
import { startHttpApp, type HttpApp } from '../helpers/http';
import { servicesOf } from '../helpers/strapi-app';
import { accepted } from '../helpers/results';

const KEYS = ['backupQueued', 'backupRunning', 'restartRequired', 'restorePending'];

describe.each(dialectsUnderTest())('GET /backup/activity on %s', (dialect) => {
  let http: HttpApp;
  let nobody: string;
  const service = servicesOf(() => http.app.strapi);

  beforeAll(async () => {
    http = await startHttpApp(dialect, 'activity', { BACKUP_WORKER: 'false' });
    nobody = await http.createAdmin('Nobody');
  }, 300000);

  afterAll(async () => {
    await http?.destroy();
  });

  /** The answer for the admin with no permission, checked to hold exactly the four booleans. */
  const activity = async () => {
    const res = await http.request('GET', '/backup/activity', { token: nobody });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    expect(Object.keys(res.body.data).sort()).toEqual(KEYS);
    return res.body.data;
  };

  it('an admin with no permission reads whether a backup runs or waits and whether a restore is pending', async () => {
    // The summary, which the warning read before, is closed to this admin.
    expect((await http.request('GET', '/backup/summary', { token: nobody })).status).toBe(403);
    expect(await activity()).toEqual({ backupRunning: false, backupQueued: false, restorePending: false, restartRequired: false });

    const queue = service('queue');
    const profile = await service('profiles').create({ name: 'Watched', queueBehavior: 'queue', includeUploads: false, includeProjectFiles: false });
    const first = accepted(await queue.enqueue({ profile, kind: 'backup', trigger: 'api' }));
    expect(first).toMatchObject({ accepted: true, record: { status: 'queued' } });
    expect(await activity()).toEqual({ backupRunning: false, backupQueued: true, restorePending: false, restartRequired: false });

    // Claimed as a worker would: running, and nothing waits any more.
    expect(await queue.claimNext('activity-test')).toMatchObject({ id: first.record.id, status: 'running' });
    expect(await activity()).toEqual({ backupRunning: true, backupQueued: false, restorePending: false, restartRequired: false });

    const second = accepted(await queue.enqueue({ profile, kind: 'backup', trigger: 'api' }));
    expect(second).toMatchObject({ accepted: true, position: 1 });
    expect(await activity()).toEqual({ backupRunning: true, backupQueued: true, restorePending: false, restartRequired: false });

    // A restore queued behind the running backup is already pending.
    const restore = accepted(await queue.enqueue({ profile, kind: 'restore', trigger: 'cli' }));
    expect(restore).toMatchObject({ accepted: true, record: { kind: 'restore', status: 'queued' } });
    expect(await activity()).toEqual({ backupRunning: true, backupQueued: true, restorePending: true, restartRequired: false });

    await queue.cancel(second.record.id);
    expect(await queue.finish(first.record.id, { status: 'cancelled', statusReason: 'user' })).toBe(true);
    expect(await activity()).toEqual({ backupRunning: false, backupQueued: false, restorePending: true, restartRequired: false });

    // Nothing else runs, so the restore starts; running, it is still pending for an editor.
    expect(await queue.claimNext('activity-test')).toMatchObject({ id: restore.record.id, status: 'running' });
    expect(await activity()).toEqual({ backupRunning: false, backupQueued: false, restorePending: true, restartRequired: false });

    expect(await queue.finish(restore.record.id, { status: 'failed', statusReason: 'error' })).toBe(true);
    expect(await activity()).toEqual({ backupRunning: false, backupQueued: false, restorePending: false, restartRequired: false });
  });

  it('reads an index: every open edit view of every editor polls it', async () => {
    const [records] = await describeTables(http.app.strapi.db.connection, dialect, ['backup_records']);
    expect(records.indexes).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'backup_records_status_kind_idx', columns: ['status', 'kind'], unique: false })]),
    );
  });

  it('401 without a token or with an API token: admins only', async () => {
    expect((await http.request('GET', '/backup/activity', { token: null })).status).toBe(401);
    expect((await http.request('GET', '/backup/activity', { token: await http.createApiToken('not-for-admin') })).status).toBe(401);
  });
});
