/**
 * The admin panel in a real Chromium against a built admin served by `strapi start`: the first
 * admin registers, creates a queue profile, backs up twice, watches the queue, cancels, downloads,
 * meets a busy profile, sees the Content Manager warning (as does an editor with no backup
 * permission), and a reader without `run` is refused. Then it restores: a second restore is
 * refused in the dialog, and one confirmed by its archive's name is followed to its end, through
 * the login the restore asks for, to the site as the backup had it.
 * Each step saves a screenshot in tests/e2e/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, login, newContext, openPage, screenshot } from '../helpers/browser';
import { FIRST_ADMIN, adminClient, type AdminClient } from '../helpers/http';
import { serveApp, type ServedApp } from '../helpers/served-app';
import { ARTICLES, ARTICLE_EDITOR, EDIT_VIEW, RESTORE_BULK, seedBulkTable } from './site';
import {
  BACKUPS,
  PROFILES,
  backUpNow,
  closeDialog,
  dismissAnnouncement,
  expectCount,
  gone,
  logInAgain,
  openRestore,
  restoreDialog,
  row,
  textMatches,
  visible,
} from './pages';

const FINAL = /completed|failed|cancelled/i;
const RUNNING_WARNING = 'A backup is running: changes you save now may not be in it.';

describe('admin panel in Chromium', () => {
  let served: ServedApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: AdminClient;
  const records = async (query = '') => (await api.request('GET', `/backup/records${query}`)).body.data as any[];
  const untilStatus = async (documentId: string, status: RegExp, timeout = 180_000) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const record = (await api.request('GET', `/backup/records/${documentId}`)).body.data;
      if (status.test(record.status)) return record;
      if (Date.now() > deadline) throw new Error(`record ${documentId} still ${record.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const untilFinal = (documentId: string, timeout?: number) => untilStatus(documentId, FINAL, timeout);
  const articleTitles = async () => ((await api.request('GET', `${ARTICLES}?pageSize=100`)).body.results as any[]).map((a) => a.title);

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
    await dismissAnnouncement(page);
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
    // E-mail on: the default texts; a mistyped placeholder is named; the preview fills the rest from an example record.
    await page.getByLabel('Send an e-mail when a job ends').click();
    const subject = page.getByLabel('Subject');
    await subject.fill('{kind} {status}: {profil_name}');
    await visible(page.getByText('Unknown placeholder {profil_name}'));
    await subject.fill('{kind} {status}: {profile_name}');
    await page.getByLabel('And these addresses').fill('ops@example.com');
    const preview = page.getByTestId('notify-preview');
    await textMatches(
      preview,
      /^backup failed: Nightly queueThe backup of “Nightly queue” \(schedule, record 42\) failed at 2026-01-01 02:03:12 UTC, after 3 min 12 s\./,
    );
    await preview.evaluate((box) => box.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'profile-notify');
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByRole('heading', { name: 'Backup profiles' }));
    await visible(page.getByRole('row', { name: /Nightly queue/ }));
    const profile = (await api.request('GET', '/backup/profiles')).body.data.find((p: any) => p.name === 'Nightly queue');
    expect(profile).toMatchObject({
      queueBehavior: 'queue',
      schedule: '0 3 * * *',
      timezone: 'Europe/Paris',
      notify: { on: ['failed'], requester: true, emails: ['ops@example.com'], subject: '{kind} {status}: {profile_name}' },
    });
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

  // Its waits for the backup's end (up to 180 s each) bound this test, not Jest's default of 120 s.
  it(
    'cancels the queued backup; the running one completes and downloads with its size',
    async () => {
      const [queued] = await records('?status=queued');
      const [running] = await records('?status=running');
      expect(running).toBeDefined();
      await page.goto(BACKUPS);
      await row(page, queued.documentId).getByRole('button', { name: 'Cancel' }).click();
      await textMatches(row(page, queued.documentId), /cancelled/i);

      // The admin goes on elsewhere while the backup runs: its end is announced on that page, with a link to the record.
      await page.goto(`/admin${ARTICLES}`);
      const toast = page.locator('[data-sonner-toast]').filter({ hasText: 'Backup completed' });
      await visible(toast, 180_000);
      await screenshot(page, 'toast-completed');
      // Strapi's notification opens its link in a new tab: the link leads to the record.
      const href = await toast.getByRole('link', { name: 'Open the record' }).getAttribute('href');
      expect(href).toBe(`/admin/plugins/backup/records/${running.documentId}`);
      await page.goto(href!);
      await visible(page.getByRole('heading', { name: `Backup #${running.id}` }));
      await textMatches(page.getByRole('main'), /completed/i);

      await page.goto(BACKUPS);
      await textMatches(row(page, running.documentId), /completed/i, 180_000);
      await screenshot(page, 'backups-completed');
      const done = await untilFinal(running.documentId);
      const [download] = await Promise.all([page.waitForEvent('download'), row(page, running.documentId).getByRole('button', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe(done.archiveFile);
      expect(fs.statSync(await download.path()).size).toBe(Number(done.archiveSize));

      // Kept from retention: the pin is pressed and the server has the flag.
      await row(page, running.documentId).getByRole('button', { name: 'Keep (retention never removes it)' }).click();
      await visible(row(page, running.documentId).getByRole('button', { name: 'Stop keeping (retention may remove it)', pressed: true }));
      expect((await api.request('GET', `/backup/records/${running.documentId}`)).body.data.keep).toBe(true);
      // The disk use above the list, and an archive that no record names, listed and left in place.
      const orphan = path.join(served.app.backupsDir, 'copied-by-hand.tar');
      fs.writeFileSync(orphan, Buffer.alloc(2048));
      await page.reload();
      await textMatches(page.getByTestId('backup-storage'), /^Archives: [\d.]+ [KMG]?B · Nightly queue [\d.]+ [KMG]?B · [\d.]+ [KMGT]?B free on this disk$/);
      await visible(page.getByText('1 archive in the backup directory belongs to no record. Nothing is deleted: remove by hand what you do not need.'));
      await visible(page.getByText('copied-by-hand.tar (2.0 KB)'));
      await screenshot(page, 'backups-storage');
      expect(fs.existsSync(orphan)).toBe(true);
      fs.rmSync(orphan);

      await row(page, running.documentId).click();
      await visible(page.getByRole('heading', { name: 'Archive' }));
      await visible(page.getByText(done.archiveSha256));
      await page.getByRole('button', { name: 'Verify' }).click();
      await visible(page.getByText('The archive is intact: every entry matches its manifest.'));
      await screenshot(page, 'record-detail');

      // The profile's e-mail preview is filled from its newest record now that it has some: the backup cancelled above.
      const nightly = (await api.request('GET', '/backup/profiles')).body.data.find((p: any) => p.name === 'Nightly queue');
      await page.goto(`${PROFILES}/${nightly.documentId}`);
      await visible(page.getByText('Preview, filled from this profile’s last record'));
      await textMatches(
        page.getByTestId('notify-preview'),
        new RegExp(`^backup cancelled: Nightly queueThe backup of “Nightly queue” \\(admin, record ${queued.id}\\) cancelled at `),
      );
    },
    6 * 60_000,
  );

  it('a cancel profile shows the busy message; the Content Manager warns every editor and the profile cannot be deleted while a backup runs', async () => {
    const created = await api.request('POST', '/backup/profiles', {
      body: { name: 'Busy site', queueBehavior: 'cancel', includeUploads: false, includeProjectFiles: false },
    });
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
      await page
        .getByRole('row', { name: /Busy site/ })
        .getByRole('button', { name: 'Delete' })
        .click();
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

  it('a second restore is refused in the dialog, naming the pending one', async () => {
    // A long backup runs, a restore waits behind it (asked through the API), and the admin asks for another.
    const running = await api.request('POST', '/backup/runs', { body: {} });
    expect(running.status).toBe(202);
    let pending: { id: number; documentId: string } | undefined;
    try {
      await untilStatus(running.body.data.documentId, /running/);
      const [source] = await records('?status=completed&kind=backup');
      const asked = await api.request('POST', `/backup/records/${source.documentId}/restore`, { body: { confirm: source.archiveFile, safetyBackup: false } });
      expect(asked.status).toBe(202);
      expect(asked.body.data).toMatchObject({ kind: 'restore', status: 'queued' });
      pending = asked.body.data as { id: number; documentId: string };

      await page.goto(BACKUPS);
      const dialog = await openRestore(page, source.documentId);
      const parts = restoreDialog(dialog);
      await parts.fileName.fill(source.archiveFile);
      await parts.start.click();
      await visible(dialog.getByText(`A restore of the site is already pending (record ${pending.id}). Wait for it to finish or cancel it.`));
      await screenshot(page, 'restore-dialog-pending');
      // The link leads to the pending restore, and the dialog stays behind.
      const toPending = dialog.getByRole('link', { name: `Open the pending restore (record ${pending.id})` });
      // At the foot of the dialog's scrolling body, where its scrollbar lies over it: scrolled up, as a user would.
      await toPending.evaluate((link) => link.scrollIntoView({ block: 'center' }));
      await toPending.click();
      await page.waitForURL(new RegExp(`/records/${pending.documentId}$`));
      await gone(page.getByRole('dialog'));
      await visible(page.getByRole('heading', { name: `Restore #${pending.id}` }));
      await screenshot(page, 'restore-pending-detail');
      // Editors are told their saves will be overwritten; the home widget counts the restore waiting.
      await page.goto(EDIT_VIEW);
      await visible(page.getByText('A restore is pending: changes you save now will be overwritten.'));
      await page.goto('/admin');
      await textMatches(page.getByRole('region', { name: 'Backups' }).getByTestId('backup-widget-queued'), /^1$/);
    } finally {
      // Whatever happened above, neither job may outlive this test.
      if (pending) await api.request('POST', `/backup/records/${pending.documentId}/cancel`);
      await api.request('POST', `/backup/records/${running.body.data.documentId}/cancel`);
    }
    expect(await untilFinal(pending!.documentId)).toMatchObject({ status: 'cancelled' });
    expect(await untilFinal(running.body.data.documentId)).toMatchObject({ status: 'cancelled' });
  });

  it('restores a backup from the records list: confirmed by its name, followed phase by phase, then the admin logs in again and the site is as it was', async () => {
    // A site of a few hundred thousand rows: its restore lasts long enough to be watched.
    await seedBulkTable(served.app.env.DATABASE_FILENAME, RESTORE_BULK);
    expect((await api.request('POST', ARTICLES, { body: { title: 'Written before the backup' } })).status).toBeLessThan(300);
    const asked = await api.request('POST', '/backup/runs', { body: {} });
    expect(asked.status).toBe(202);
    const backup = await untilFinal(asked.body.data.documentId);
    expect(backup).toMatchObject({ status: 'completed' });
    // The site moves on after the backup.
    expect((await api.request('POST', ARTICLES, { body: { title: 'Written after the backup' } })).status).toBeLessThan(300);
    expect(await articleTitles()).toEqual(expect.arrayContaining(['Written before the backup', 'Written after the backup']));

    // Signed in after the backup: the archive does not know this session, so the restore ends it.
    const restorerContext = await newContext(browser, served.url);
    const restorer = await openPage(restorerContext);
    await login(restorer, FIRST_ADMIN.email);
    await dismissAnnouncement(restorer);
    await restorer.goto(BACKUPS);
    const dialog = await openRestore(restorer, backup.documentId);
    const parts = restoreDialog(dialog);
    await visible(dialog.getByText(backup.archiveFile).first());
    await visible(dialog.getByText('This replaces the whole site'));
    expect(await parts.safetyBackup.isChecked()).toBe(true);
    // Force is an advanced option, off, with what it means.
    await expectCount(parts.force, 0);
    await parts.advanced.click();
    expect(await parts.force.isChecked()).toBe(false);
    await visible(dialog.getByText(/Without force, an archive whose tables or columns differ from this database is refused/));
    // The button waits for the exact name.
    await parts.fileName.fill(backup.archiveFile.slice(0, -1));
    expect(await parts.start.isDisabled()).toBe(true);
    await parts.fileName.fill(backup.archiveFile);
    expect(await parts.start.isEnabled()).toBe(true);
    await screenshot(restorer, 'restore-dialog');

    await parts.start.click();
    const following = restorer.getByRole('dialog');
    // Seen running, phase by phase: the record keeps answering while the rest of the site says 503.
    await visible(following.locator('[data-testid="restore-phases"] [data-state="current"]'), 60_000);
    await visible(following.getByRole('progressbar', { name: 'Restore progress' }));
    await visible(following.getByText('The site is being restored'));
    // The list behind it is refused (503) meanwhile, and says why instead of failing.
    await visible(restorer.getByTestId('backup-site-restoring'));
    await screenshot(restorer, 'restore-progress');

    // The restore took the session away: Strapi asks to log in, then opens its home page.
    await logInAgain(restorer, FIRST_ADMIN.email);
    // The home widget asks for the restart; its last backup is the safety backup, not the restore.
    const widget = restorer.getByRole('region', { name: 'Backups' });
    await visible(widget.getByText('Restart required'));
    await textMatches(widget, /Last successful backup.*· [\d.]+ [KMG]?B/);
    await screenshot(restorer, 'home-widget-restart', widget);

    // Back on Backups, the restore followed before the login shows how it ended.
    await restorer.goto(BACKUPS);
    const outcome = restorer.getByRole('dialog', { name: 'Restore of the site' });
    await visible(outcome.getByText('Site restored'));
    await visible(outcome.getByText('Restart Strapi, and log in again if asked'));
    await textMatches(outcome, new RegExp(`Restored \\d+ tables \\([\\d,]+ rows\\) from ${backup.archiveFile.replace(/\./g, '\\.')}`));
    expect(await outcome.locator(`[data-testid="restore-phases"] [data-state="done"]`).count()).toBe(5);
    await screenshot(restorer, 'restore-completed');
    await closeDialog(restorer);

    // The list: the restore completed, its safety backup before it, and the restart it asks for.
    const [restore] = await records('?kind=restore&status=completed');
    const [safety] = (await records('?kind=backup')).filter((r) => r.trigger === 'pre-restore');
    expect(restore.message).toContain(`safety backup, record ${safety.id}`);
    await textMatches(row(restorer, restore.documentId), /completed.*Restore/);
    await textMatches(row(restorer, safety.documentId), /completed.*Backup.*Before a restore/);
    await visible(restorer.getByText('Restart required'));
    await screenshot(restorer, 'restore-list');

    // The content is the archive's: the article written after the backup is gone.
    expect(await articleTitles()).toEqual(['Written before the backup']);
    await restorer.goto(`/admin${ARTICLES}`);
    await visible(restorer.getByText('Written before the backup'));
    await expectCount(restorer.getByText('Written after the backup'), 0);
    await screenshot(restorer, 'restore-content');
    await restorerContext.close();
  });

  it('leaves nothing running', async () => {
    expect(await records('?status=running')).toEqual([]);
    expect(await records('?status=queued')).toEqual([]);
  });
});
