/**
 * Webhook events on a real app, on every dialect: registered with Strapi's webhook store, emitted
 * on the event hub at every state change in order, and delivered by Strapi's own webhook runner to
 * a real HTTP endpoint with the record in the payload.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { createTestApp, type TestApp, servicesOf } from '../helpers/strapi-app';
import { accepted, found, refused } from '../helpers/results';

const EVENTS = ['queued', 'started', 'completed', 'failed', 'cancelled'].flatMap((verb) => [`backup.${verb}`, `restore.${verb}`]);

describe.each(dialectsUnderTest())('webhook events on %s', (dialect) => {
  let app: TestApp;
  let server: http.Server;
  const posts: { headers: http.IncomingHttpHeaders; body: any }[] = [];
  const heard: { event: string; record: any }[] = [];
  const service = servicesOf(() => app.strapi);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    app = await createTestApp(dialect, 'webhooks');
    Object.assign(app.env, { BACKUP_WORKER: 'false', BACKUP_HEARTBEAT_MS: '500', BACKUP_POLL_MS: '200' });
    await app.boot();
    app.strapi.eventHub.subscribe(async (event: string, info: any) => {
      if (EVENTS.includes(event)) heard.push({ event, record: info.record });
    });
  }, 120000);

  afterAll(async () => {
    await app?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  afterEach(async () => {
    await service('worker').stop(5000);
  });

  it('registers backup.* and restore.* as allowed webhook events', async () => {
    const store = app.strapi.get('webhookStore');
    expect([...store.allowedEvents.values()]).toEqual(expect.arrayContaining(EVENTS));
    expect(store.getAllowedEvent('BACKUP_COMPLETED')).toBe('backup.completed');
  });

  it('a completed backup emits queued, started, completed in order, and Strapi delivers them', async () => {
    const { port } = server.address() as AddressInfo;
    // What Settings → Webhooks does on save: validate against the allowed events, then register.
    const webhook = await app.strapi.get('webhookStore').createWebhook({
      name: 'backup events',
      url: `http://127.0.0.1:${port}/hook`,
      headers: { 'x-test': 'yes' },
      events: EVENTS,
    });
    app.strapi.get('webhookRunner').add(webhook);

    const profile = await service('profiles').create({ name: 'Hooked', includeUploads: false, includeProjectFiles: false });
    const result = await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' });
    expect(result.accepted).toBe(true);
    service('worker').start();
    const { id, documentId } = accepted(result).record;
    await waitFor(() => heard.some((h) => h.record.id === id && h.event === 'backup.completed'), 60000, 'backup.completed');
    expect(heard.filter((h) => h.record.id === id).map((h) => h.event)).toEqual(['backup.queued', 'backup.started', 'backup.completed']);

    // Delivered over HTTP by Strapi's webhook runner (several at once, so in any order).
    await waitFor(() => posts.filter((p) => p.body.record?.id === id).length === 3, 15000, 'three POSTs');
    const delivered = posts.filter((p) => p.body.record?.id === id);
    expect(delivered.map((p) => p.body.event).sort()).toEqual(['backup.completed', 'backup.queued', 'backup.started']);
    expect(delivered.every((p) => p.headers['x-strapi-event'] === p.body.event && p.headers['x-test'] === 'yes')).toBe(true);
    const completed = delivered.find((p) => p.body.event === 'backup.completed')!.body.record;
    expect(completed).toMatchObject({
      id,
      documentId,
      kind: 'backup',
      status: 'completed',
      trigger: 'api',
      profile: { documentId: profile.documentId, name: 'Hooked' },
      archiveFile: expect.stringMatching(/\.tar$/),
      archiveSize: expect.any(Number),
      archiveSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(completed.startedAt && completed.finishedAt).toBeTruthy();
    expect(delivered.find((p) => p.body.event === 'backup.queued')!.body.record.status).toBe('queued');
  });

  it('a cancelled queued job and a scheduled rejection emit backup.cancelled', async () => {
    const profile = await service('profiles').create({ name: 'Cancelled hooks', queueBehavior: 'cancel', includeUploads: false, includeProjectFiles: false });
    const first = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' }));
    const rejected = refused(
      await service('queue').enqueue({
        profile,
        kind: 'backup',
        trigger: 'schedule',
        idempotencyKey: `schedule:${profile.documentId}:x`,
        recordRejection: true,
      }),
    );
    expect(rejected.rejectedRecord).toMatchObject({ status: 'cancelled', statusReason: 'busy' });
    const rejectedRecord = found(rejected.rejectedRecord, 'the record of the rejected fire');
    await service('queue').cancel(first.record.id);
    await service('notifier').flush();
    const of = (recordId: number) => heard.filter((h) => h.record.id === recordId).map((h) => h.event);
    expect(of(first.record.id)).toEqual(['backup.queued', 'backup.cancelled']);
    expect(of(rejectedRecord.id)).toEqual(['backup.cancelled']);
    expect(heard.find((h) => h.record.id === rejectedRecord.id)!.record).toMatchObject({ statusReason: 'busy', trigger: 'schedule' });
  });
});
