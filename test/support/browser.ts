// Real Chromium (Debian's package) driven by playwright-core, for browser tests and screenshots.
import { afterAll, beforeAll } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Saves a full-page screenshot under test-output/screenshots/ for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Logs in through the web app's login page (session mode) and waits for the page it lands on. */
export async function webLogin(page: Page, origin: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByTestId('email').fill(who.email);
  await page.getByTestId('password').fill(who.password);
  await page.getByTestId('mode-session').check();
  await page.getByTestId('submit').click();
  await page.waitForURL('**/explain');
}

/** One Chromium for the enclosing describe block: launched before its tests, closed after. */
export function useBrowser(): { readonly browser: Browser } {
  const handle = {} as { browser: Browser };
  beforeAll(async () => {
    handle.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await handle.browser?.close();
  });
  return handle;
}
