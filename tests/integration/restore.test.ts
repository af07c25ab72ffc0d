/**
 * Restore of a real Strapi site over its admin REST API, on every dialect: a schema as rich as a
 * real site (drafts and published versions in two locales, a dynamic zone, components nested two
 * deep with media and relations, many-to-many relations, admin users, roles, API tokens) is backed
 * up, changed, and restored; then every table equals the backup row for row, every upload by
 * sha256, the plugin's history survives with the restore and its safety backup in it, and an
 * admin that exists only in the archive can log in. Refusals change nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { PASSWORD, startHttpApp, type HttpApp } from '../helpers/http';
import { databaseState, filesState } from '../helpers/site-state';
import { seedContent, servicesOf } from '../helpers/strapi-app';
import { found } from '../helpers/results';
import { ACTIONS } from '../../shared/constants';

const FINAL = ['completed', 'failed', 'cancelled'];
const KEEP = ['backup_profiles', 'backup_records', 'backup_records_profile_lnk'];

describe.each(dialectsUnderTest())('restore of a real site on %s', (dialect) => {
  let http: HttpApp;
  let uploadsDir: string;
  const service = servicesOf(() => http.app.strapi);
  const knex = () => http.app.strapi.db.connection;
  /** Every table but the plugin's own: what a restore must give back exactly. */
  const siteState = async () => {
    const state = await databaseState(knex(), dialect);
    for (const table of KEEP) delete state[table];
    return state;
  };
  const untilFinal = async (id: number) => {
    let record: any;
    await waitFor(async () => FINAL.includes((record = found(await service('records').findById(id), `record ${id}`)).status), 120000, `record ${id} to end`);
    return record;
  };

  beforeAll(async () => {
    http = await startHttpApp(dialect, 'restore', { BACKUP_POLL_MS: '200', BACKUP_HEARTBEAT_MS: '500' });
    await seedContent(http.app.strapi, { articles: 12, uploads: 4, uploadSize: 30 * 1024, pages: 4 });
    uploadsDir = path.join(http.app.dir, 'public/uploads');
  }, 300000);

  afterAll(async () => {
    await http?.destroy();
  });

  it('the test site has what a real site has', async () => {
    const tables = Object.keys(await siteState());
    for (const table of [
      'pages',
      'pages_cmps',
      'components_blocks_heroes',
      'components_shared_links',
      'components_shared_links_article_lnk',
      'files_related_mph',
      'i18n_locale',
      'admin_users',
      'strapi_api_tokens',
    ]) {
      expect(tables).toContain(table);
    }
    const pages = await knex()('pages').select('locale', 'published_at');
    expect(new Set(pages.map((p: any) => p.locale))).toEqual(new Set(['en', 'fr']));
    expect(pages.some((p: any) => p.published_at) && pages.some((p: any) => !p.published_at)).toBe(true);
    expect(await knex()('files_related_mph').where('related_type', 'blocks.hero').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
  });

  it('puts back every table and upload exactly, keeps the history, and lets an admin of the archive log in', async () => {
    // Someone who exists only in the archive: created before the backup, deleted after it.
    await http.createAdmin('Archived', [ACTIONS.read]);
    await http.createApiToken('deploy');
    const backup = await http.request('POST', '/backup/runs', { body: {} });
    expect(backup.status).toBe(202);
    const archived = await untilFinal(backup.body.data.id);
    expect(archived.status).toBe('completed');
    const before = await siteState();
    const uploadsBefore = await filesState(uploadsDir);

    // The site moves on: content, an admin, uploads.
    const documents = http.app.strapi.documents('api::article.article');
    const [first] = await documents.findMany({ limit: 1 });
    await documents.delete({ documentId: first.documentId });
    await documents.create({ data: { title: 'Written after the backup' } as any });
    const page = (await http.app.strapi.documents('api::page.page').findMany({ locale: 'fr', limit: 1 }))[0];
    await http.app.strapi.documents('api::page.page').update({ documentId: page.documentId, locale: 'fr', data: { title: 'Changed after the backup' } as any });
    const archivedAdmin = await http.app.strapi.db.query('admin::user').findOne({ where: { email: 'archived@example.test' } });
    await http.app.strapi.db.query('admin::user').delete({ where: { id: archivedAdmin.id } });
    const [someUpload] = Object.keys(uploadsBefore);
    fs.writeFileSync(path.join(uploadsDir, someUpload), 'changed after the backup');
    fs.writeFileSync(path.join(uploadsDir, 'added-after-backup.txt'), 'new');
    fs.rmSync(path.join(uploadsDir, Object.keys(uploadsBefore)[1]));
    expect(await siteState()).not.toEqual(before);

    // The replaced uploads are removed once the site answers again, not inside the 503 window.
    const failsafe = service('failsafe');
    const removeLeftovers = failsafe.removeRestoreLeftovers;
    const removals: { restoring: boolean; removed: string[] }[] = [];
    failsafe.removeRestoreLeftovers = async () => {
      const restoring = service('restoreGate').isRestoring();
      const removed = await removeLeftovers();
      removals.push({ restoring, removed: removed.map((dir) => path.relative(http.app.dir, dir)) });
      return removed;
    };
    // Put back even when the restore fails, so the failure is this test's alone.
    let restored: any;
    try {
      const asked = await http.request('POST', `/backup/records/${archived.documentId}/restore`, { body: { confirm: archived.archiveFile } });
      expect(asked.status).toBe(202);
      expect(asked.body).toMatchObject({
        data: { kind: 'restore', status: 'queued', trigger: 'admin', restoreSource: { record: archived.documentId, archiveFile: archived.archiveFile } },
        meta: { position: 0 },
      });
      restored = await untilFinal(asked.body.data.id);
      expect(restored).toMatchObject({ status: 'completed', kind: 'restore', progress: { percent: 100, step: 'done' } });
      expect(restored.message).toMatch(new RegExp(`^Restored \\d+ tables \\([\\d,]+ rows\\) from ${archived.archiveFile.replace(/\./g, '\\.')}, the uploads`));

      await waitFor(() => removals.length > 0, 20000, 'the replaced uploads removed');
    } finally {
      failsafe.removeRestoreLeftovers = removeLeftovers;
    }
    expect(removals).toEqual([{ restoring: false, removed: [expect.stringMatching(/^public\/\.uploads-old-[0-9a-f]{12}$/)] }]);
    expect(fs.readdirSync(path.join(http.app.dir, 'public')).filter((name) => name.startsWith('.'))).toEqual([]);

    // Exactly the archive: every table but the plugin's, every upload, and nothing more.
    expect(await siteState()).toEqual(before);
    expect(await filesState(uploadsDir)).toEqual(uploadsBefore);

    // The history survived, with the restore and the safety backup taken just before it.
    const records = await http.app.strapi.db.query('plugin::backup.record').findMany({ orderBy: { id: 'asc' } });
    const safety = records.find((r: any) => r.trigger === 'pre-restore');
    expect(safety).toMatchObject({ kind: 'backup', status: 'completed' });
    expect(fs.existsSync(path.join(http.app.backupsDir, safety.archiveFile))).toBe(true);
    expect(restored.message).toContain(`safety backup, record ${safety.id}`);
    expect(records.map((r: any) => r.id)).toEqual(expect.arrayContaining([archived.id, safety.id, restored.id]));

    // The site works on: an admin of the archive logs in; a new entry gets a fresh id.
    expect((await http.request('POST', '/admin/login', { token: null, body: { email: 'archived@example.test', password: PASSWORD } })).status).toBe(200);
    const maxId = Math.max(...(await knex()('articles').pluck('id')).map(Number));
    const created = await documents.create({ data: { title: 'After the restore' } as any });
    expect(created.id).toBeGreaterThan(maxId);
    expect(await service('summary').activity()).toMatchObject({ restartRequired: true });
  });

  it('refuses an altered archive (and a wrong confirmation) and changes nothing', async () => {
    const [backup] = await http.app.strapi.db
      .query('plugin::backup.record')
      .findMany({ where: { kind: 'backup', status: 'completed', trigger: 'admin' }, orderBy: { id: 'desc' }, limit: 1 });
    const token = await http.createAdmin('Restorer', [ACTIONS.read, ACTIONS.restore]);
    const wrong = await http.request('POST', `/backup/records/${backup.documentId}/restore`, { body: { confirm: 'something-else.tar' }, token });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe(`confirm does not match the archive’s file name (“${backup.archiveFile}”); nothing was queued.`);
    // Who may run backups may not restore.
    const runner = await http.createAdmin('Runner only', [ACTIONS.read, ACTIONS.run]);
    expect((await http.request('POST', `/backup/records/${backup.documentId}/restore`, { body: { confirm: backup.archiveFile }, token: runner })).status).toBe(
      403,
    );
    // The content API has no restore route at all.
    expect([404, 405]).toContain(
      (await http.request('POST', `/api/backup/records/${backup.documentId}/restore`, { body: {}, token: await http.createApiToken('full') })).status,
    );

    // One byte changed in a copy of the archive, filed as a backup record of its own.
    const name = `altered-${backup.archiveFile}`;
    const bytes = fs.readFileSync(path.join(http.app.backupsDir, backup.archiveFile));
    bytes[Math.floor(bytes.length / 3)] ^= 0xff;
    fs.writeFileSync(path.join(http.app.backupsDir, name), bytes);
    const copy = await service('records').create({
      profile: backup.profile?.id ?? found(await service('profiles').findDefault(), 'the default profile').id,
      kind: 'backup',
      trigger: 'cli',
    });
    await service('records').update(copy.id, {
      status: 'completed',
      finishedAt: new Date().toISOString(),
      archiveFile: name,
      archiveSha256: backup.archiveSha256,
    });
    const before = await siteState();
    const uploadsBefore = await filesState(uploadsDir);
    const asked = await http.request('POST', `/backup/records/${copy.documentId}/restore`, { body: { confirm: name, safetyBackup: false }, token });
    expect(asked.status).toBe(202);
    const refused = await untilFinal(asked.body.data.id);
    expect(refused).toMatchObject({ status: 'failed', statusReason: 'refused' });
    expect(refused.message).toMatch(/^The archive cannot be restored here; nothing was changed:\n- /);
    expect(await siteState()).toEqual(before);
    expect(await filesState(uploadsDir)).toEqual(uploadsBefore);
  });

  it('answers 503 with Retry-After while a restore runs, here or on another instance; health and the restore’s own routes still answer', async () => {
    const gate = service('restoreGate');
    // Another instance's restore, as this one sees it at its next poll.
    const profile = found(await service('profiles').findDefault(), 'the default profile');
    const elsewhere = await service('records').create({ profile: profile.id, kind: 'restore', trigger: 'cli', status: 'running' });
    await gate.poll();
    try {
      const during = await http.request('GET', '/api/articles', { token: null });
      expect({ status: during.status, retryAfter: during.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '30' });
      expect(during.body.error).toMatchObject({ status: 503, name: 'ServiceUnavailableError' });
      expect((await http.request('POST', '/admin/login', { token: null, body: { email: 'x@example.test', password: 'y' } })).status).toBe(503);
      expect((await fetch(`${http.url}/_health`)).status).toBe(204);
      // Following and cancelling the restore still reach the plugin (here: the record has a
      // running restore, so its cancel is accepted as a request to stop).
      expect((await http.request('GET', `/backup/records/${elsewhere.documentId}`)).status).toBe(200);
      expect((await http.request('POST', `/backup/records/${elsewhere.documentId}/cancel`)).status).toBe(200);
    } finally {
      await service('records').update(elsewhere.id, { status: 'failed', finishedAt: new Date().toISOString() });
      await gate.poll();
    }
    // The public role may not read articles: a 403 from Strapi again, no longer the gate's 503.
    expect((await http.request('GET', '/api/articles', { token: null })).status).toBe(403);
  });
});
