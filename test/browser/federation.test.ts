// The federation pages in real Chromium, EN and KO: the admin page for sign-in providers (with the
// callback URL to register upstream), and the "an account exists — sign in and link" page a refused
// sign-in lands on, driven end to end through a real upstream gatehouse (B) and back.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import { startFederationPair, type FederationPair } from '../security/federation-support.js';

describe('federation pages in Chromium', () => {
  let pair: FederationPair;
  let browser: Browser;
  beforeAll(async () => {
    [pair, browser] = await Promise.all([startFederationPair('sqlite'), launchBrowser()]);
    await pair.addProvider('upstream', { trustEmail: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await pair?.close();
  });

  async function contextFor(lang: 'en' | 'ko', sessionToken?: string): Promise<BrowserContext> {
    const context = await browser.newContext();
    const cookies: { name: string; value: string; url: string }[] = [{ name: 'gh.lang', value: lang, url: pair.a.origin }];
    if (sessionToken) cookies.push({ name: pair.a.gh.ctx.cookies.names.session, value: sessionToken, url: pair.a.origin });
    await context.addCookies(cookies);
    return context;
  }

  /** At B: log in and allow, until B sends the browser back to A. */
  async function passThroughB(page: Page, email: string, password: string) {
    for (let step = 0; step < 4 && new URL(page.url()).origin === pair.b.origin; step++) {
      if (await page.locator('input[name="password"]').count()) {
        await page.fill('input[name="email"]', email);
        await page.fill('input[name="password"]', password);
      }
      const before = page.url();
      await Promise.all([page.waitForURL((url) => url.href !== before, { timeout: 30_000 }), page.locator('button[type="submit"]').first().click()]);
    }
    await page.waitForURL((url) => url.origin === pair.a.origin, { timeout: 30_000 });
  }

  for (const lang of ['en', 'ko'] as const) {
    it(`shows admins the providers with their callback URLs, and adds one (${lang})`, async () => {
      const admin = await pair.a.gh.ctx.identity.signup({ email: `admin-${lang}@a.example`, password: 'admin password 123456', roles: ['admin'] });
      const { token } = await pair.a.gh.ctx.sessions.create({ userId: admin.id, ip: '127.0.0.1', userAgent: 'chromium' });
      const context = await contextFor(lang, token);
      const page = await context.newPage();
      try {
        await page.goto(`${pair.a.origin}/admin/providers`);
        await expect.poll(() => page.locator('h1').textContent(), { timeout: 15_000 }).toBe(lang === 'en' ? 'Sign-in providers' : '로그인 제공자');
        await expect.poll(() => page.getByTestId('provider-upstream').getByTestId('callback-url').textContent(), { timeout: 15_000 }).toBe(`${pair.a.origin}/api/auth/federation/upstream/callback`);

        const id = `google-${lang}`;
        await page.getByTestId('kind').selectOption('google');
        await page.getByTestId('id').fill(id);
        await page.getByTestId('client-id').fill('1234.apps.googleusercontent.com');
        await page.getByTestId('client-secret').fill('google-secret-value');
        await page.getByTestId('trust-email-input').check();
        await page.getByTestId('provider-submit').click();
        const added = page.getByTestId(`provider-${id}`);
        await expect.poll(() => added.getByTestId('callback-url').textContent(), { timeout: 15_000 }).toBe(`${pair.a.origin}/api/auth/federation/${id}/callback`);
        expect(await added.getByTestId('trust-email').textContent()).toBe(lang === 'en' ? 'yes' : '예');
        // The secret went in sealed and never comes back to the page.
        expect(await page.content()).not.toContain('google-secret-value');
        await screenshot(page, `federation-admin-providers-${lang}`);
      } finally {
        await context.close();
      }
    }, 120_000);
  }

  it('keeps the admin page to admins', async () => {
    const user = await pair.a.signup('plain-user@a.example', 'plain password 123456');
    const { token } = await pair.a.gh.ctx.sessions.create({ userId: user.id, ip: '127.0.0.1', userAgent: 'chromium' });
    const context = await contextFor('en', token);
    const page = await context.newPage();
    try {
      await page.goto(`${pair.a.origin}/admin/providers`);
      await expect.poll(() => page.locator('[role="alert"]').textContent(), { timeout: 15_000 }).toBe('Only administrators can manage sign-in providers.');
      expect(await page.getByTestId('admin-providers').count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);

  for (const lang of ['en', 'ko'] as const) {
    it(`a sign-in refused because the account exists shows the page, and "sign in and link" links (${lang})`, async () => {
      const email = `owner-${lang}@example.com`;
      await pair.a.signup(email, 'owner password at A');
      await pair.verifiedAtB(email, 'owner password at B');
      const context = await contextFor(lang);
      const page = await context.newPage();
      try {
        await page.goto(`${pair.a.origin}/api/auth/federation/upstream/start`);
        await passThroughB(page, email, 'owner password at B');
        await page.waitForURL('**/federation/problem?**', { timeout: 30_000 });
        expect(new URL(page.url()).searchParams.get('code')).toBe('GH_OAUTH_LINK_REQUIRED');
        await expect.poll(() => page.locator('h1').textContent(), { timeout: 15_000 }).toBe(lang === 'en' ? 'You already have an account here' : '이미 이곳에 계정이 있습니다');
        await screenshot(page, `federation-account-exists-${lang}`);

        // Sign in with the account's password, link, go through B again, land on the account page.
        await page.getByTestId('email').fill(email);
        await page.getByTestId('password').fill('owner password at A');
        await page.getByTestId('submit').click();
        await page.waitForURL((url) => url.origin === pair.b.origin || url.pathname === '/account', { timeout: 30_000 });
        if (new URL(page.url()).origin === pair.b.origin) await passThroughB(page, email, 'owner password at B');
        await page.waitForURL('**/account', { timeout: 30_000 });
        await expect.poll(() => page.getByTestId('link-upstream').count(), { timeout: 15_000 }).toBe(1);
        await screenshot(page, `federation-linked-${lang}`);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
