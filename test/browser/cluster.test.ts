// The whole picture in real Chromium behind the balancer: two people chat while their
// sockets land on different nodes; revoking a session closes the other device's socket; a third-party
// app gets only the scopes the user left ticked; the dashboard shows traffic spread over the nodes.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RunningCluster } from '../../src/cluster/index.js';
import { createClientManager } from '../../src/oauth/index.js';
import { createDatabase } from '../../src/storage/index.js';
import { cryptoIds, systemClock } from '../../src/core/index.js';
import { freePort, freePortRange } from '../support/app.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';

const SECRET = 'browser-cluster-secret-0123456789abcdefghij';

describe('gatehouse up in Chromium', () => {
  let cluster: RunningCluster;
  let browser: Browser;
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  let base: string;

  beforeAll(async () => {
    dir = await createTempDir();
    const port = await freePort();
    const nodePort = await freePortRange(2);
    const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_SECRET: SECRET };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    cluster = await startCluster({ nodes: 2, host: '127.0.0.1', port, nodeBasePort: nodePort, adminPort: await freePort(), algorithm: 'round-robin', dataDir: dir.path, env });
    base = cluster.url; // http://localhost:<port>: the public origin the nodes were given
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await dir?.remove();
  });

  async function signedIn(label: string, mode: 'session' | 'cookie' = 'session'): Promise<{ context: BrowserContext; page: Page; who: ReturnType<typeof freshUser> }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const who = freshUser(label);
    const headers = { origin: base, 'content-type': 'application/json' };
    expect((await context.request.post(`${base}/api/auth/signup`, { data: who, headers })).status()).toBe(201);
    expect((await context.request.post(`${base}/api/auth/${mode}/login`, { data: { email: who.email, password: who.password }, headers })).status()).toBe(200);
    return { context, page, who };
  }

  async function openChat(page: Page, room = 'lobby'): Promise<string> {
    await page.goto(`${base}/chat`);
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('connected');
    await page.getByTestId('room-input').fill(room);
    await page.getByTestId('join-button').click();
    await expect.poll(() => page.getByTestId('node').textContent(), { timeout: 10_000 }).toMatch(/node-\d/);
    return (await page.getByTestId('node').textContent())!.trim();
  }

  it('lets two people chat while their sockets land on different nodes', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    try {
      const aliceNode = await openChat(alice.page);
      let bobNode = await openChat(bob.page);
      for (let i = 0; i < 10 && bobNode === aliceNode; i += 1) bobNode = await openChat(bob.page);
      expect(bobNode).not.toBe(aliceNode);

      // Presence crosses nodes: each sees both names.
      await expect.poll(() => alice.page.getByTestId('presence-list').textContent(), { timeout: 15_000 }).toContain(bob.who.name);
      await expect.poll(() => bob.page.getByTestId('presence-list').textContent(), { timeout: 15_000 }).toContain(alice.who.name);

      const text = `hello from ${aliceNode} ${randomBytes(3).toString('hex')}`;
      await alice.page.getByTestId('message-input').fill(text);
      await alice.page.getByTestId('send-button').click();
      await expect.poll(() => bob.page.getByTestId('message-list').textContent(), { timeout: 15_000 }).toContain(text);
      // The sender sees the server's acknowledgement on its own message.
      const mine = alice.page.locator('[data-testid="message-list"] li.mine').last();
      await expect.poll(() => mine.getAttribute('data-delivery'), { timeout: 15_000 }).toBe('acked');
      await screenshot(alice.page, 'chat-alice');
      await screenshot(bob.page, 'chat-bob');
    } finally {
      await alice.context.close();
      await bob.context.close();
    }
  });

  it("closes another device's socket when its session is revoked", async () => {
    const laptop = await signedIn('revoker');
    const phone = await browser.newContext();
    try {
      const headers = { origin: base, 'content-type': 'application/json' };
      expect((await phone.request.post(`${base}/api/auth/session/login`, { data: { email: laptop.who.email, password: laptop.who.password }, headers })).status()).toBe(200);
      const phonePage = await phone.newPage();
      await openChat(phonePage);

      await laptop.page.goto(`${base}/account`);
      await expect.poll(() => laptop.page.locator('[data-testid="sessions"] tbody tr').count(), { timeout: 15_000 }).toBe(2);
      await screenshot(laptop.page, 'account-sessions');
      await laptop.page.getByTestId('revoke-others').click();

      await expect.poll(() => phonePage.getByTestId('connection-state').getAttribute('data-state'), { timeout: 10_000 }).not.toBe('connected');
      await screenshot(phonePage, 'chat-revoked');
      expect((await phone.request.get(`${base}/api/me`)).status()).toBe(401);
    } finally {
      await laptop.context.close();
      await phone.close();
    }
  });

  it('runs the OAuth consent flow: the app gets only the scopes left ticked', async () => {
    // The relying party: a redirect target that records what the authorization server sent back.
    const received: URL[] = [];
    const rp: Server = createServer((req, res) => {
      // Only the redirect itself: the browser also asks this origin for /favicon.ico.
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/callback') received.push(url);
      res.end('ok');
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${(rp.address() as { port: number }).port}/callback`;
    const database = createDatabase({ dataDir: dir.path });
    const { client_id } = await createClientManager({ db: database.db, ids: cryptoIds, clock: systemClock }).create({
      name: 'Photo Printer',
      redirectUris: [redirectUri],
      type: 'public',
      scopes: ['openid', 'profile', 'profile:read', 'messages:read'],
    });
    await database.close();

    const user = await signedIn('consent');
    try {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const state = randomBytes(12).toString('base64url');
      const auth = new URL(`${base}/oidc/auth`);
      auth.search = new URLSearchParams({
        client_id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid profile profile:read messages:read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
        resource: `${base}/api`,
      }).toString();
      await user.page.goto(auth.toString());
      // Signed in to gatehouse in session mode: straight to consent, no password asked.
      expect(await user.page.locator('input[name="password"]').count()).toBe(0);
      await user.page.locator('input[name="scope"][value="messages:read"]').uncheck();
      await screenshot(user.page, 'oauth-consent');
      await user.page.getByRole('button', { name: 'Allow' }).click();
      await expect.poll(() => received.length, { timeout: 20_000 }).toBeGreaterThan(0);
      const back = received.at(-1)!;
      expect(back.searchParams.get('state')).toBe(state);
      expect(back.searchParams.get('iss')).toBe(`${base}/oidc`);
      const code = back.searchParams.get('code')!;
      expect(code).toBeTruthy();

      const tokenResponse = await fetch(`${base}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id, code_verifier: verifier, resource: `${base}/api` }),
      });
      expect(tokenResponse.status).toBe(200);
      const tokens = (await tokenResponse.json()) as { access_token: string; scope: string };
      expect(tokens.scope.split(' ')).toContain('profile:read');
      expect(tokens.scope.split(' ')).not.toContain('messages:read');
      const bearer = { authorization: `Bearer ${tokens.access_token}` };
      expect((await fetch(`${base}/api/resources/profile`, { headers: bearer })).status).toBe(200);
      const refused = await fetch(`${base}/api/resources/messages`, { headers: bearer });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toContain('insufficient_scope');
    } finally {
      await user.context.close();
      await new Promise((resolve) => rp.close(resolve));
    }
  });

  it('shows traffic spread over the nodes on the dashboard', async () => {
    const viewer = await signedIn('dashboard');
    try {
      for (let i = 0; i < 20; i += 1) await viewer.context.request.get(`${base}/api/me`);
      await viewer.page.goto(`${base}/dashboard`);
      await viewer.page.waitForTimeout(3000);
      await screenshot(viewer.page, 'dashboard');
      const requestsOf = async (id: string) => Number((await viewer.page.locator(`[data-testid="backends"] tr[data-backend="${id}"] td`).nth(3).textContent({ timeout: 1000 }).catch(() => null)) ?? '0');
      await expect.poll(() => requestsOf('node-1'), { timeout: 20_000 }).toBeGreaterThan(5);
      await expect.poll(() => requestsOf('node-2'), { timeout: 20_000 }).toBeGreaterThan(5);
      await expect.poll(() => viewer.page.getByTestId('algorithm').textContent(), { timeout: 10_000 }).toBe('round-robin');
      await expect.poll(() => viewer.page.locator('[data-testid="nodes"] tbody tr').count(), { timeout: 20_000 }).toBe(2);
      await screenshot(viewer.page, 'dashboard');
    } finally {
      await viewer.context.close();
    }
  }, 90_000);
});
