// The admin console in real Chromium, in English and in Korean: the users panel (search → the user's
// detail → disable, audited with the acting admin), the OAuth clients panel (register, rotate the
// secret, delete — each checked against the provider itself) and the mail outbox (no SMTP configured).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useTestNode } from '../support/app.js';
import { screenshot, useBrowser, webLogin } from '../support/browser.js';
import { freshUser, TestClient } from '../support/client.js';

const LANGS = [
  { lang: 'en', title: 'Administration', disable: 'Disable', disabled: 'disabled', unverified: 'unverified', you: 'you', rotate: 'Rotate secret', del: 'Delete', create: 'Register client' },
  { lang: 'ko', title: '관리', disable: '비활성화', disabled: '비활성', unverified: '미확인', you: '나', rotate: '시크릿 교체', del: '삭제', create: '클라이언트 등록' },
] as const;

describe('admin console in Chromium (EN and KO)', () => {
  const env = useTestNode();
  const chromium = useBrowser();

  /** An admin signed in to the web app (session mode) in a browser that speaks `lang`. */
  async function adminPage(lang: string): Promise<{ page: Page; adminId: string; close: () => Promise<void> }> {
    const who = freshUser(`admin-${lang}`);
    const admin = await env.node.node.ctx.identity.signup({ email: who.email, password: who.password, roles: ['user', 'admin'] });
    const context = await chromium.browser.newContext();
    await context.addCookies([{ name: 'gh.lang', value: lang, url: env.node.url }]);
    const page = await context.newPage();
    await webLogin(page, env.node.url, who);
    await page.goto(`${env.node.url}/admin`);
    return { page, adminId: admin.id, close: () => context.close() };
  }

  /** Whether the provider accepts this client secret (RFC 7662 introspection authenticates the client). */
  const secretWorks = async (clientId: string, secret: string) => {
    const response = await fetch(`${env.node.url}/oidc/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=not-a-token',
    });
    return response.status === 200;
  };
  const secretIn = async (page: Page) => (await page.getByTestId('client-result').textContent())!.split(': ').pop()!.trim();

  for (const t of LANGS) {
    it(`users: search, open a user's detail and disable them there (${t.lang})`, async () => {
      // A user who signed up through the API (a verification mail waits in the outbox), with a live
      // session and a JWT sign-in.
      const victim = freshUser(`victim-${t.lang}`);
      const signedUp = await new TestClient(env.node.url).post('/api/auth/signup', victim);
      expect(signedUp.status).toBe(201);
      const victimId = (signedUp.body as { user: { id: string } }).user.id;
      expect((await new TestClient(env.node.url).post('/api/auth/session/login', { email: victim.email, password: victim.password })).status).toBe(200);
      expect((await new TestClient(env.node.url).post('/api/auth/jwt/login', { email: victim.email, password: victim.password })).status).toBe(200);

      const { page, adminId, close } = await adminPage(t.lang);
      try {
        expect(await page.locator('h1').textContent()).toBe(t.title);
        expect(await page.locator('html').getAttribute('lang')).toBe(t.lang);
        await page.getByTestId('admin-search').fill(victim.email);
        await page.getByTestId('admin-search-submit').click();
        await page.locator(`[data-testid="admin-user"][data-email="${victim.email}"]`).getByTestId('admin-view').click();

        const detail = page.getByTestId('admin-user-detail');
        await detail.locator('h2').filter({ hasText: victim.email }).waitFor();
        expect(await detail.getByTestId('admin-detail-verified').textContent()).toBe(t.unverified);
        expect(await detail.getByTestId('admin-detail-roles').textContent()).toBe('user');
        expect(await detail.getByTestId('admin-detail-sessions').textContent()).toBe('1');
        expect(await detail.getByTestId('admin-detail-devices').textContent()).toBe('1');
        expect(await detail.locator('[data-testid="admin-user-events"] tr[data-type="signup"]').count()).toBe(1);
        await screenshot(page, `admin-user-detail-${t.lang}`);

        await detail.getByRole('button', { name: t.disable }).click();
        await detail.getByTestId('admin-result').waitFor();
        await expect.poll(() => detail.getByTestId('admin-detail-state').textContent(), { timeout: 30_000 }).toContain(t.disabled);
        await expect.poll(() => detail.getByTestId('admin-detail-sessions').textContent(), { timeout: 30_000 }).toBe('0');
        expect(await detail.getByTestId('admin-detail-devices').textContent()).toBe('0');
        const disabledRow = detail.locator('[data-testid="admin-user-events"] tr[data-type="admin.user.disable"]');
        await disabledRow.waitFor();
        expect(await disabledRow.getByTestId('admin-event-actor').textContent()).toBe(t.you);
        await screenshot(page, `admin-user-disabled-${t.lang}`);

        // The store agrees: the account is disabled and the audit names the acting admin.
        expect((await env.node.node.ctx.identity.getUser(victimId))?.disabledAt).not.toBeNull();
        const events = await env.node.node.ctx.identity.audit.list({ userId: victimId });
        expect(events.find((e) => e.type === 'admin.user.disable')?.data).toMatchObject({ actorId: adminId, via: 'web' });
        expect((await new TestClient(env.node.url).post('/api/auth/session/login', { email: victim.email, password: victim.password })).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');

        // Back to the list, which shows the new state too.
        await detail.getByTestId('admin-back').click();
        await page.getByTestId('admin-search').fill(victim.email);
        await page.getByTestId('admin-search-submit').click();
        await expect.poll(() => page.locator(`[data-testid="admin-user"][data-email="${victim.email}"]`).getByTestId('admin-user-state').textContent(), { timeout: 30_000 }).toContain(t.disabled);
      } finally {
        await close();
      }
    }, 120_000);

    it(`clients: register, rotate the secret and delete, and the outbox lists mail (${t.lang})`, async () => {
      // Someone signs up first: without SMTP, their verification mail waits in the outbox.
      const newcomer = freshUser(`outbox-${t.lang}`);
      expect((await new TestClient(env.node.url).post('/api/auth/signup', newcomer)).status).toBe(201);
      const { page, adminId, close } = await adminPage(t.lang);
      try {
        const name = `console-${t.lang}-${Date.now()}`;
        const panel = page.locator('section[aria-labelledby="clients-h"]');
        await panel.locator('input[name="name"]').fill(name);
        await panel.locator('input[name="redirect"]').fill('https://app.example/cb');
        await panel.locator('select[name="type"]').selectOption('confidential');
        await panel.getByRole('button', { name: t.create }).click();
        const row = page.locator(`[data-testid="admin-client"][data-name="${name}"]`);
        await row.waitFor();
        const clientId = (await row.getAttribute('data-client-id'))!;
        await expect.poll(() => page.getByTestId('client-result').textContent(), { timeout: 30_000 }).toContain(clientId);
        const first = await secretIn(page);
        expect(await secretWorks(clientId, first)).toBe(true);

        await row.getByRole('button', { name: t.rotate }).click();
        await expect.poll(() => secretIn(page), { timeout: 30_000 }).not.toBe(first);
        const second = await secretIn(page);
        expect(await secretWorks(clientId, second)).toBe(true);
        expect(await secretWorks(clientId, first)).toBe(false);
        await screenshot(page, `admin-clients-${t.lang}`);

        await row.getByRole('button', { name: t.del }).click();
        await row.waitFor({ state: 'detached' });
        expect((await env.node.node.ctx.oauth.clients.list()).map((c) => c.client_id)).not.toContain(clientId);
        expect(await secretWorks(clientId, second)).toBe(false);

        const outbox = page.getByTestId('admin-outbox');
        await outbox.locator('li').first().waitFor();
        expect(await outbox.textContent()).toContain(newcomer.email);
        const audit = await env.node.node.ctx.identity.audit.list({ userId: adminId });
        expect(audit.filter((e) => e.data.clientId === clientId).map((e) => e.type).sort()).toEqual(['admin.client.create', 'admin.client.delete', 'admin.client.rotate-secret']);
      } finally {
        await close();
      }
    }, 120_000);
  }
});
