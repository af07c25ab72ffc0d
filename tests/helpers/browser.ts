/**
 * Chromium for the end-to-end tests: the Debian package (`/usr/bin/chromium`, installed by
 * .ci/run), driven by playwright-core. No browser is ever downloaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD } from './http';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '../e2e/screenshots');

export const launchBrowser = (): Promise<Browser> => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
};

/** A page at a laptop's size, with Strapi's guided-tour popovers closed whenever they get in the way. */
export const openPage = async (context: BrowserContext): Promise<Page> => {
  const page = await context.newPage();
  const tour = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Skip' }) });
  await page.addLocatorHandler(tour, async () => {
    await tour.getByRole('button', { name: 'Skip' }).click();
  });
  return page;
};

export const newContext = (browser: Browser, url: string) =>
  browser.newContext({ baseURL: url, viewport: { width: 1440, height: 900 }, acceptDownloads: true, locale: 'en-GB', timezoneId: 'UTC' });

/** Saves `<name>.png`; an element is scrolled into view first (the admin scrolls inside its own container). */
export const screenshot = async (page: Page, name: string, element?: ReturnType<Page['locator']>) => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  if (element) {
    await element.scrollIntoViewIfNeeded();
    await element.screenshot({ path: file, animations: 'disabled' });
  } else {
    // Finished animations: a modal is captured where it lands, not half faded in.
    await page.screenshot({ path: file, animations: 'disabled' });
  }
};

export const login = async (page: Page, email: string, password = PASSWORD) => {
  await page.goto('/admin/auth/login');
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(/\/admin\/?$/);
};
