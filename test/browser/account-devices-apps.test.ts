// The Account page in real Chromium: the device list shows server sessions and JWT sign-ins (created,
// last used, IP, user agent) and revokes them one by one; the app list shows one entry per OAuth
// client the user allowed, and revoking it ends the client's tokens and its live socket. EN and KO.
import type { Browser as Chromium, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import { TestClient } from '../support/client.js';
import { Browser } from '../oauth/support.js';
import {
  authorizeClient,
  bearer,
  endedBy,
  jwtLogin,
  registerClient,
  signUp,
  socketWith,
  startSecurityStack,
  BACKENDS,
  type SecurityStack,
} from '../security/support.js';

// Each case walks a whole attack across real nodes; a loaded machine may need more than the default.
vi.setConfig({ testTimeout: 180_000 });

describe('the Account page lists devices and apps (Chromium)', () => {
  let s: SecurityStack;
  let chromium: Chromium;
  beforeAll(async () => {
    s = await startSecurityStack(BACKENDS[0]!);
    chromium = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await s?.dispose();
  });

  async function signedInPage(who: { email: string; password: string }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.newContext({ userAgent: 'Laptop Chromium' });
    const headers = { origin: s.a.url, 'content-type': 'application/json' };
    expect((await context.request.post(`${s.a.url}/api/auth/session/login`, { data: { email: who.email, password: who.password }, headers })).status()).toBe(200);
    return { context, page: await context.newPage() };
  }

  it('shows JWT sign-ins beside sessions and revokes one; shows one entry per app and revokes it (English)', async () => {
    const user = await signUp(s.a, 'account-page');
    const phone = await jwtLogin(s.a, user, 'Phone App/1.0');
    const printer = await registerClient(s.a, 'Photo Printer');
    const first = await authorizeClient(s.a, printer, user, { browser: new Browser() });
    const second = await authorizeClient(s.a, printer, user, { browser: new Browser() });
    const socket = await socketWith(s.a, { token: second.access });
    const socketEnded = endedBy(socket);

    const { context, page } = await signedInPage(user);
    try {
      await page.goto(`${s.a.url}/account`);
      const rows = page.locator('[data-testid="sessions"] tbody tr');
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
      const jwtRow = page.locator('[data-testid="sessions"] tbody tr[data-kind="jwt"]');
      await expect.poll(() => jwtRow.textContent(), { timeout: 30_000 }).toContain('Phone App/1.0');
      expect(await jwtRow.textContent()).toContain('App sign-in (JWT)');
      expect(await jwtRow.textContent()).toContain('127.0.0.1');
      expect(await page.locator('[data-testid="sessions"] tbody tr[data-kind="session"]').textContent()).toContain('Browser session');
      expect(await page.locator('#sessions-h').textContent()).toBe('Signed-in devices');

      const apps = page.locator('[data-testid="apps"] li');
      await expect.poll(() => apps.count(), { timeout: 15_000 }).toBe(1);
      expect(await apps.first().textContent()).toContain('Photo Printer');
      await screenshot(page, 'account-devices-apps-en');

      // Revoke the phone's JWT sign-in from the device list.
      await jwtRow.getByRole('button').click();
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
      expect((await new TestClient(s.b.url, { origin: null }).get('/api/me', bearer(phone.access))).body.error).toBe('GH_TOKEN_REVOKED');

      // Revoke the app: both of its grants' tokens die, and its socket is closed.
      await apps.first().getByRole('button').click();
      await expect.poll(() => page.getByTestId('apps-empty').count(), { timeout: 15_000 }).toBe(1);
      expect((await socketEnded).error).toBe('GH_REALTIME_REVOKED');
      for (const tokens of [first, second]) {
        expect((await new TestClient(s.b.url, { origin: null }).get('/api/resources/profile', bearer(tokens.access))).body.error).toBe('GH_TOKEN_REVOKED');
      }
      await screenshot(page, 'account-devices-apps-revoked-en');
    } finally {
      await context.close();
    }
  });

  it('speaks Korean', async () => {
    const user = await signUp(s.a, 'account-ko');
    await jwtLogin(s.a, user, 'Phone App/1.0');
    const printer = await registerClient(s.a, '사진 인쇄기');
    await authorizeClient(s.a, printer, user);
    const { context, page } = await signedInPage(user);
    try {
      await context.addCookies([{ name: 'gh.lang', value: 'ko', url: s.a.url }]);
      await page.goto(`${s.a.url}/account`);
      await expect.poll(() => page.locator('#sessions-h').textContent(), { timeout: 15_000 }).toBe('로그인된 기기');
      await expect.poll(() => page.locator('[data-testid="sessions"] tbody tr[data-kind="jwt"]').textContent(), { timeout: 15_000 }).toContain('앱 로그인 (JWT)');
      expect(await page.locator('[data-testid="sessions"] tbody tr[data-kind="session"]').textContent()).toContain('브라우저 세션');
      await expect.poll(() => page.locator('#apps-h').textContent(), { timeout: 15_000 }).toBe('허용한 앱');
      expect(await page.locator('[data-testid="apps"] li').first().textContent()).toContain('사진 인쇄기');
      await screenshot(page, 'account-devices-apps-ko');
    } finally {
      await context.close();
    }
  });
});
