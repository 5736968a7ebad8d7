// The account lifecycle in real Chromium with mail through a real SMTP server started here: a new user
// signs up, verifies from the message that arrived, logs out, resets a forgotten password from the
// mailed link, changes their email, exports and deletes the account; an admin finds and disables
// another user, and every tab and socket of that user ends.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { launchBrowser, screenshot, webLogin } from '../support/browser.js';
import { freshUser } from '../support/client.js';
import { linkIn, startTestSmtp, type TestSmtp } from '../support/smtp.js';

describe('accounts in Chromium, with real mail', () => {
  let smtp: TestSmtp;
  let stack: TestStack;
  let node: TestNode;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startTestSmtp();
    stack = await createTestStack({ config: { mail: { smtpUrl: smtp.url } } });
    node = await stack.startNode();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
    await smtp?.close();
  });

  const uiLogin = (page: Page, email: string, password: string) => webLogin(page, node.url, { email, password });
  const status = (page: Page) => page.evaluate(async () => (await fetch('/api/me')).status);

  it('sign up, verify from the received mail, log out, reset a forgotten password, change email, export and delete', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const who = freshUser('chromium');
    try {
      await page.goto(`${node.url}/signup`);
      await page.getByTestId('email').fill(who.email);
      await page.getByTestId('password').fill(who.password);
      await page.getByTestId('mode-session').check();
      await page.getByTestId('submit').click();
      await page.waitForURL('**/explain');

      await page.goto(`${node.url}/account`);
      await expect.poll(() => page.getByTestId('email-status').getAttribute('data-verified'), { timeout: 15_000 }).toBe('no');
      await screenshot(page, 'account-unverified');

      const verifyMail = await smtp.waitFor(who.email, (m) => m.subject === 'Confirm your email address');
      await page.goto(linkIn(verifyMail).toString());
      await expect.poll(() => page.getByTestId('verify-done').textContent(), { timeout: 15_000 }).toContain(who.email);
      expect(page.url()).not.toContain('token=');
      await page.goto(`${node.url}/account`);
      await expect.poll(() => page.getByTestId('email-status').getAttribute('data-verified'), { timeout: 15_000 }).toBe('yes');

      await page.getByTestId('logout').click();
      await expect.poll(() => status(page), { timeout: 15_000 }).toBe(401);

      // Forgotten password, from the login page.
      await page.goto(`${node.url}/login`);
      await page.getByTestId('forgot-link').click();
      await page.getByTestId('forgot-email').fill(who.email);
      await page.getByTestId('forgot-submit').click();
      await page.getByTestId('forgot-sent').waitFor();
      const resetMail = await smtp.waitFor(who.email, (m) => m.subject === 'Reset your password');
      await page.goto(linkIn(resetMail).toString());
      const newPassword = `${who.password} after reset`;
      await page.getByTestId('reset-password').fill(newPassword);
      await page.getByTestId('reset-submit').click();
      await page.getByTestId('reset-done').waitFor();
      await smtp.waitFor(who.email, (m) => m.subject === 'Your password was changed');
      await uiLogin(page, who.email, newPassword);

      // Change the email address: it changes only once the link to the new address is followed.
      const newEmail = `moved.${Date.now()}@example.test`;
      await page.goto(`${node.url}/account`);
      await page.getByTestId('change-email').fill(newEmail);
      await page.getByTestId('change-password').fill(newPassword);
      await page.getByTestId('change-submit').click();
      await page.getByTestId('email-message').waitFor();
      const changeMail = await smtp.waitFor(newEmail);
      await page.goto(linkIn(changeMail).toString());
      await expect.poll(() => page.getByTestId('verify-done').textContent(), { timeout: 15_000 }).toContain(newEmail);

      // Export.
      await page.goto(`${node.url}/account`);
      const download = page.waitForEvent('download');
      await page.getByTestId('export').click();
      const file = await (await download).path();
      const exported = JSON.parse(await readFile(file, 'utf8')) as { profile: { email: string }; auditEvents: { type: string }[] };
      expect(exported.profile.email).toBe(newEmail);
      expect(exported.auditEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['password.reset', 'email.change']));

      // Delete.
      await page.getByTestId('delete-password').fill(newPassword);
      await page.getByTestId('delete-submit').click();
      await page.waitForURL(`${node.url}/`);
      expect(await status(page)).toBe(401);
      await page.goto(`${node.url}/login`);
      await page.getByTestId('email').fill(newEmail);
      await page.getByTestId('password').fill(newPassword);
      await page.getByTestId('submit').click();
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('incorrect');
    } finally {
      await context.close();
    }
  }, 180_000);

  it('an admin finds and disables another user: every tab and socket of that user ends', async () => {
    const adminWho = freshUser('chromium-admin');
    await node.node.ctx.identity.signup({ email: adminWho.email, password: adminWho.password, roles: ['user', 'admin'] });
    const victim = freshUser('chromium-victim');
    await node.node.ctx.identity.signup({ email: victim.email, password: victim.password });

    const victimContext = await browser.newContext();
    const adminContext = await browser.newContext();
    try {
      const tab1 = await victimContext.newPage();
      await uiLogin(tab1, victim.email, victim.password);
      await tab1.goto(`${node.url}/chat`);
      await expect.poll(() => tab1.getByTestId('connection-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
      const tab2 = await victimContext.newPage();
      await tab2.goto(`${node.url}/chat`);
      await expect.poll(() => tab2.getByTestId('connection-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');

      const admin = await adminContext.newPage();
      await uiLogin(admin, adminWho.email, adminWho.password);
      await admin.goto(`${node.url}/admin`);
      await admin.getByTestId('admin-search').fill(victim.email);
      await admin.getByTestId('admin-search-submit').click();
      const row = admin.locator(`[data-testid="admin-user"][data-email="${victim.email}"]`);
      await row.getByTestId('admin-disable').click();
      await admin.getByTestId('admin-result').waitFor();
      await expect.poll(() => row.getByTestId('admin-user-state').textContent(), { timeout: 15_000 }).toContain('disabled');
      await screenshot(admin, 'admin-disabled');

      for (const tab of [tab1, tab2]) {
        await expect.poll(() => tab.getByTestId('connection-state').getAttribute('data-state'), { timeout: 15_000 }).not.toBe('connected');
        expect(await status(tab)).toBe(401);
      }
      // Signing in again says why it is refused.
      const again = await victimContext.newPage();
      await again.goto(`${node.url}/login`);
      await again.getByTestId('email').fill(victim.email);
      await again.getByTestId('password').fill(victim.password);
      await again.getByTestId('submit').click();
      await expect.poll(() => again.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('disabled');
    } finally {
      await victimContext.close();
      await adminContext.close();
    }
  }, 180_000);
});
