/** What the e2e scenario does on the plugin's pages, named as a user would say it. */
import type { Locator, Page } from 'playwright-core';
import { PASSWORD } from '../helpers/http';

export const BACKUPS = '/admin/plugins/backup';
export const PROFILES = '/admin/settings/backup/profiles';

/** Waits for a locator to be visible; playwright-core has no `expect`, so conditions are awaited here. */
export const visible = (locator: Locator, timeout = 30_000) => locator.first().waitFor({ state: 'visible', timeout });
export const gone = (locator: Locator, timeout = 30_000) => locator.first().waitFor({ state: 'hidden', timeout });

/** Polls an element's text until it matches (the page refreshes itself while jobs run). */
export const textMatches = async (locator: Locator, pattern: RegExp, timeout = 30_000) => {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout }).catch(() => '')) ?? '';
    if (pattern.test(last)) return last;
    await locator.page().waitForTimeout(200);
  }
  throw new Error(`expected ${pattern} but the text stayed “${last}”`);
};

export const row = (page: Page, documentId: string) => page.locator(`tbody tr[data-record="${documentId}"]`);

/** Strapi's announcement banner (dismissed once per browser) would sit on every screenshot. */
export const dismissAnnouncement = async (page: Page) => {
  await visible(page.getByText('Introducing the new Media Library'));
  await page.getByRole('button', { name: 'Close' }).first().click();
  await gone(page.getByText('Introducing the new Media Library'));
};

/** Opens "Back up now", picks the profile, starts; returns the dialog showing the outcome. */
export const backUpNow = async (page: Page, profile: string) => {
  await page.getByRole('button', { name: 'Back up now' }).click();
  const dialog = page.getByRole('dialog', { name: 'Back up now' });
  await visible(dialog);
  const select = dialog.getByRole('combobox');
  await visible(select.filter({ hasText: /\S/ }));
  await select.click();
  await page.getByRole('option', { name: new RegExp(`^${profile}`) }).click();
  await dialog.getByRole('button', { name: 'Start backup' }).click();
  return page.getByRole('dialog');
};

/** Opens "Restore" on a backup's row of the list; returns the confirmation dialog. */
export const openRestore = async (page: Page, documentId: string) => {
  await row(page, documentId).getByRole('button', { name: 'Restore' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore this backup' });
  await visible(dialog);
  return dialog;
};

/** The restore dialog's parts, named as the admin reads them. */
export const restoreDialog = (dialog: Locator) => ({
  fileName: dialog.getByRole('textbox', { name: 'Archive file name' }),
  safetyBackup: dialog.getByRole('checkbox', { name: 'Take a safety backup of the current site first' }),
  advanced: dialog.getByRole('button', { name: 'Advanced options' }),
  force: dialog.getByRole('checkbox', { name: /^Force/ }),
  start: dialog.getByRole('button', { name: 'Restore the site' }),
});

/** Strapi sent the page to its login form (a session the restore took away); log in and come back. */
export const logInAgain = async (page: Page, email: string, password = PASSWORD) => {
  await page.waitForURL(/\/admin\/auth\/login/, { timeout: 60_000 });
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/'));
};

export const closeDialog = async (page: Page) => {
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).first().click();
  await gone(page.getByRole('dialog'));
};

export const expectCount = async (locator: Locator, count: number) => expect(await locator.count()).toBe(count);
