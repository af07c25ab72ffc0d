/**
 * The admin panel in a real Chromium against a built admin served by `strapi start`: the first
 * admin registers, creates a queue profile, backs up twice, watches the queue, cancels, downloads,
 * meets a busy profile, sees the Content Manager warning (as does an editor with no backup
 * permission), and a reader without `run` is refused.
 * Each step saves a screenshot in tests/e2e/screenshots/.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, login, newContext, openPage, screenshot } from '../helpers/browser';
import { FIRST_ADMIN, adminClient, type AdminClient } from '../helpers/http';
import { serveApp, type ServedApp } from '../helpers/served-app';
import { BACKUPS, PROFILES, backUpNow, closeDialog, expectCount, gone, row, textMatches, visible } from './pages';

/** Rows enough that a backup of them runs for tens of seconds here, so a second request waits. */
const BULK_ROWS = Number(process.env.E2E_BULK_ROWS ?? 6_000_000);
const FINAL = /completed|failed|cancelled/i;
const EDIT_VIEW = '/admin/content-manager/collection-types/api::article.article/create';
const RUNNING_WARNING = 'A backup is running: changes you save now may not be in it.';
/** An editor of articles as a site would set one up: Content Manager rights, no backup permission at all. */
const ARTICLE_EDITOR = ['read', 'create', 'update'].map((action) => ({
  action: `plugin::content-manager.explorer.${action}`,
  subject: 'api::article.article',
  properties: { fields: ['title', 'slug', 'body'] },
}));

/** A table the backups include and Strapi leaves alone (it never tracked it). */
const seedBulkTable = async (file: string) => {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.exec('CREATE TABLE bulk_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, payload VARCHAR(200))');
  db.prepare(
    `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
     INSERT INTO bulk_rows (payload) SELECT 'row ' || x || ' lorem ipsum dolor sit amet consectetur adipiscing elit' FROM n`
  ).run(BULK_ROWS);
  db.close();
};

describe('admin panel in Chromium', () => {
  let served: ServedApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: AdminClient;
  const records = async (query = '') => (await api.request('GET', `/backup/records${query}`)).body.data as any[];
  const untilFinal = async (documentId: string, timeout = 180_000) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const record = (await api.request('GET', `/backup/records/${documentId}`)).body.data;
      if (FINAL.test(record.status)) return record;
      if (Date.now() > deadline) throw new Error(`record ${documentId} still ${record.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    served = await serveApp('e2e', {
      env: { BACKUP_POLL_MS: '500', BACKUP_HEARTBEAT_MS: '1000' },
      prepare: async (app) => seedBulkTable(app.env.DATABASE_FILENAME),
    });
    browser = await launchBrowser();
    context = await newContext(browser, served.url);
    page = await openPage(context);
    api = adminClient(served.url);
  }, 10 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.destroy();
  });

  it('registers the first admin', async () => {
    await page.goto('/admin');
    await page.waitForURL(/register-admin/);
    for (const [name, value] of Object.entries({ ...FIRST_ADMIN, confirmPassword: FIRST_ADMIN.password })) {
      await page.locator(`input[name="${name}"]`).fill(value);
    }
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/\/admin\/?$/);
    await api.login(FIRST_ADMIN.email);
    // Strapi's announcement banner (dismissed once per user) would sit on every screenshot.
    await visible(page.getByText('Introducing the new Media Library'));
    await page.getByRole('button', { name: 'Close' }).first().click();
    await gone(page.getByText('Introducing the new Media Library'));
  });

  it('creates a queue profile, its cron checked as one types', async () => {
    await page.goto(PROFILES);
    await visible(page.getByRole('heading', { name: 'Backup profiles' }));
    await screenshot(page, 'profiles-list');
    await page.getByRole('link', { name: 'Create profile' }).click();
    await page.locator('input[name="name"]').fill('Nightly queue');
    await page.getByRole('radio', { name: /Queue/ }).click();
    await page.locator('input[name="schedule"]').fill('61 * * * *');
    await visible(page.getByText(/not a valid cron expression/));
    await page.locator('input[name="schedule"]').fill('0 3 * * *');
    // Typed key by key: the list opens and filters on key presses, not on a pasted value.
    const timezone = page.getByRole('combobox', { name: 'Time zone' });
    await timezone.click();
    await timezone.pressSequentially('Europe/Par');
    await page.getByRole('option', { name: 'Europe/Paris' }).click();
    // 03:00 in Paris, said in Paris time (GMT+1 in winter, GMT+2 in summer), once the zone is taken into account.
    await textMatches(page.locator('[data-next-run]').first(), /03:00 AM GMT\+[12]/);
    expect(await page.locator('[data-next-run]').count()).toBe(3);
    await page.locator('input[name="schedule"]').evaluate((input) => input.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'profile-editor');
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByRole('heading', { name: 'Backup profiles' }));
    await visible(page.getByRole('row', { name: /Nightly queue/ }));
    const profile = (await api.request('GET', '/backup/profiles')).body.data.find((p: any) => p.name === 'Nightly queue');
    expect(profile).toMatchObject({ queueBehavior: 'queue', schedule: '0 3 * * *', timezone: 'Europe/Paris' });
  });

  it('"Back up now" twice: the second is queued, a third is a duplicate; the list and the home widget show the queue', async () => {
    await page.goto(BACKUPS);
    await visible(page.getByRole('heading', { name: 'Backups' }));
    await screenshot(page, 'backups-empty');
    const first = await backUpNow(page, 'Nightly queue');
    await visible(first.getByRole('progressbar'));
    // The modal follows the job: its percent moves without a reload.
    await visible(first.getByText(/^[1-9]\d?%$/));
    await screenshot(page, 'modal-running');
    await closeDialog(page);

    const second = await backUpNow(page, 'Nightly queue');
    await visible(second.getByText('Backup queued — will start when the current backup completes (position 1 in the queue).'));
    await screenshot(page, 'modal-queued');
    await closeDialog(page);

    // A third request by the same admin would stack a copy of the one waiting: refused, in the server's words.
    const third = await backUpNow(page, 'Nightly queue');
    await visible(third.getByText(/You already have a backup of “Nightly queue” waiting \(record \d+\); it will start when the current one completes\./));
    await screenshot(page, 'modal-duplicate');
    await closeDialog(page);

    const [queued] = await records('?status=queued');
    expect(queued).toBeDefined();
    await textMatches(row(page, queued.documentId), /queued/i);
    await screenshot(page, 'backups-queued');

    await page.goto('/admin');
    const widget = page.getByRole('region', { name: 'Backups' });
    await visible(widget);
    await textMatches(widget.getByTestId('backup-widget-queued'), /^1$/);
    await screenshot(page, 'home-widget', widget);
  });

  it('cancels the queued backup; the running one completes and downloads with its size', async () => {
    const [queued] = await records('?status=queued');
    const [running] = await records('?status=running');
    expect(running).toBeDefined();
    await page.goto(BACKUPS);
    await row(page, queued.documentId).getByRole('button', { name: 'Cancel' }).click();
    await textMatches(row(page, queued.documentId), /cancelled/i);

    await textMatches(row(page, running.documentId), /completed/i, 180_000);
    await screenshot(page, 'backups-completed');
    const done = await untilFinal(running.documentId);
    const [download] = await Promise.all([page.waitForEvent('download'), row(page, running.documentId).getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe(done.archiveFile);
    expect(fs.statSync(await download.path()).size).toBe(Number(done.archiveSize));

    await row(page, running.documentId).click();
    await visible(page.getByRole('heading', { name: 'Archive' }));
    await visible(page.getByText(done.archiveSha256));
    await page.getByRole('button', { name: 'Verify' }).click();
    await visible(page.getByText('The archive is intact: every entry matches its manifest.'));
    await screenshot(page, 'record-detail');
  });

  it('a cancel profile shows the busy message; the Content Manager warns every editor and the profile cannot be deleted while a backup runs', async () => {
    const created = await api.request('POST', '/backup/profiles', { body: { name: 'Busy site', queueBehavior: 'cancel', includeUploads: false, includeProjectFiles: false } });
    expect(created.status).toBe(201);
    /** Each check gets a backup of its own, stopped after it, so none depends on how long a backup lasts. */
    const whileRunning = async (check: () => Promise<void>) => {
      const started = await api.request('POST', '/backup/runs', { body: { profile: created.body.data.documentId } });
      expect(started.status).toBe(202);
      await check();
      await api.request('POST', `/backup/records/${started.body.data.documentId}/cancel`);
      expect(await untilFinal(started.body.data.documentId)).toMatchObject({ status: 'cancelled' });
    };

    await whileRunning(async () => {
      await page.goto(BACKUPS);
      const dialog = await backUpNow(page, 'Busy site');
      await visible(dialog.getByText(/A backup of “Busy site” is (already running|about to start)/));
      await screenshot(page, 'modal-busy');
      await closeDialog(page);
    });

    // Signed in before the backup starts, so the backup need not outlast a login.
    const editorToken = await api.createAdmin('Editor', ARTICLE_EDITOR);
    expect((await api.request('GET', '/backup/summary', { token: editorToken })).status).toBe(403);
    const editorContext = await newContext(browser, served.url);
    const editor = await openPage(editorContext);
    await login(editor, 'editor@example.test');
    await whileRunning(async () => {
      await page.goto(EDIT_VIEW);
      await visible(page.getByText(RUNNING_WARNING));
      await visible(page.getByRole('button', { name: 'Save' }));
      await screenshot(page, 'content-manager-warning');
      // Whoever may edit the entry is warned, backup permission or not.
      await editor.goto(EDIT_VIEW);
      await visible(editor.getByText(RUNNING_WARNING));
      await visible(editor.getByRole('button', { name: 'Save' }));
      await screenshot(editor, 'content-manager-warning-editor');
    });
    await editorContext.close();
    // Once the warning's request has answered, not before: an absent warning proves nothing until then.
    const activity = page.waitForResponse((response) => response.url().includes('/backup/activity') && response.ok());
    await page.goto(EDIT_VIEW);
    await activity;
    await visible(page.getByRole('button', { name: 'Save' }));
    await expectCount(page.getByTestId('backup-edit-view-warning'), 0);

    await whileRunning(async () => {
      await page.goto(PROFILES);
      await page.getByRole('row', { name: /Busy site/ }).getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await visible(page.getByText(/“Busy site” has 1 queued or running job; cancel it or wait for it to finish before deleting the profile\./));
      await screenshot(page, 'profile-delete-refused');
    });
  });

  it('a reader without plugin::backup.run sees no "Back up now" and the API refuses it', async () => {
    const token = await api.createAdmin('Reader', ['plugin::backup.read']);
    const refused = await api.request('POST', '/backup/runs', { token, body: {} });
    expect(refused.status).toBe(403);

    const readerContext = await newContext(browser, served.url);
    const reader = await openPage(readerContext);
    await login(reader, 'reader@example.test');
    await reader.goto(BACKUPS);
    await visible(reader.locator('tbody tr'));
    await expectCount(reader.getByRole('button', { name: 'Back up now' }), 0);
    await expectCount(reader.getByRole('button', { name: 'Download' }), 0);
    await screenshot(reader, 'backups-reader');
    await readerContext.close();
  });

  it('ticks backup events on a Strapi webhook, which its own form cannot list, keeping its other events', async () => {
    const created = await api.request('POST', '/admin/webhooks', {
      body: { name: 'Ops', url: 'https://ops.example.com/hook', headers: {}, events: ['entry.create'] },
    });
    expect(created.status).toBe(201);
    await page.goto('/admin/settings/backup/webhooks');
    await visible(page.getByRole('heading', { name: 'Ops' }));
    await page.getByRole('checkbox', { name: 'backup.completed' }).click();
    await page.getByRole('checkbox', { name: 'backup.failed' }).click();
    await screenshot(page, 'webhook-events');
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByText('Webhook events saved'));
    const saved = await api.request('GET', `/admin/webhooks/${created.body.data.id}`);
    expect([...saved.body.data.events].sort()).toEqual(['backup.completed', 'backup.failed', 'entry.create']);
  });

  it('leaves nothing running', async () => {
    expect(await records('?status=running')).toEqual([]);
    expect(await records('?status=queued')).toEqual([]);
  });
});
