// The profiles where a user acts, in real Chromium: the device verification pages (English and Korean),
// RP-initiated logout with back-channel notification to a real receiving server, CORS from a registered
// browser app's origin, and the provider pages' language, login_hint and prompt=create.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser as Chromium, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import { authorizeInBrowser, Browser, parsePage, type RunningGatehouse } from '../oauth/support.js';
import { api, EMAIL, PASSWORD, REDIRECT, startProvider, startRelyingPartyServer, type RelyingPartyServer } from './support.js';

const insecure = { execute: [client.allowInsecureRequests] };

describe('conformance: flows where the user acts, in Chromium', () => {
  let gh: RunningGatehouse & { userId: string };
  let rp: RelyingPartyServer;
  let chromium: Chromium;

  beforeAll(async () => {
    gh = await startProvider();
    rp = await startRelyingPartyServer();
    chromium = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await gh?.close();
    await rp?.close();
  });

  /** The relying party's callback and post-logout pages answer in the browser without a real server. */
  async function rpContext(): Promise<{ context: BrowserContext; visited: URL[] }> {
    const context = await chromium.newContext();
    const visited: URL[] = [];
    await context.route('https://rp.example/**', async (route) => {
      visited.push(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>relying party</p>' });
    });
    return { context, visited };
  }

  it('device flow: openid-client polls while the user approves on the web app\'s device page in Chromium (EN), and a refusal ends in access_denied (KO)', async () => {
    const created = await gh.createClient({ name: 'TV app', redirectUris: [], type: 'public', device: true });
    const config = await client.discovery(new URL(gh.issuer), created.client_id, undefined, client.None(), insecure);

    // English: the CLI shows verification_uri_complete; the page reads the code from it, names the client
    // and the scopes, asks the user to sign in, and the approval goes through the provider.
    const started = await client.initiateDeviceAuthorization(config, { scope: 'openid profile:read' });
    expect(started.verification_uri).toBe(`${gh.origin}/device`);
    const polling = client.pollDeviceAuthorizationGrant(config, started);
    const english = await chromium.newContext({ locale: 'en-US' });
    const enPage = await english.newPage();
    await enPage.goto(started.verification_uri_complete!);
    await enPage.getByTestId('device-confirm').waitFor();
    expect(await enPage.locator('h1').textContent()).toBe('Connect TV app?');
    expect(await enPage.locator('#user-code').textContent()).toBe(started.user_code);
    expect(await enPage.getByTestId('device-scopes').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-scope')))).toEqual(['openid', 'profile:read']);
    // Not signed in yet: approving waits for the sign-in.
    expect(await enPage.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    const signIn = enPage.getByTestId('device-sign-in');
    await signIn.getByLabel('Email').fill(EMAIL);
    await signIn.getByLabel('Password').fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await enPage.getByText(`Approving as ${EMAIL}.`).waitFor();
    await screenshot(enPage, 'oauth-device-en');
    await enPage.getByRole('button', { name: 'Approve' }).click();
    await enPage.waitForURL(`${gh.origin}/device?result=approved`);
    expect(await enPage.locator('h1').textContent()).toBe('Device connected');
    await screenshot(enPage, 'oauth-device-en-done');
    await english.close();
    const tokens = await polling;
    expect((await api(gh, tokens.access_token)).status).toBe(200);
    expect(tokens.claims()?.sub).toBe(gh.userId);
    // Approving on the page was the consent, and it is in the user's audit log like any other grant.
    const audit = await gh.gh.ctx.identity.audit.list({ userId: gh.userId });
    expect(audit.find((e) => e.type === 'oauth.grant' && e.data.clientId === created.client_id)?.data).toMatchObject({ scopes: expect.arrayContaining(['openid', 'profile:read']) });

    // Korean (the user's gh.lang): the code typed by hand, a wrong one first, then a refusal.
    const refused = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const refusedPolling = client.pollDeviceAuthorizationGrant(config, refused).then(
      () => null,
      (error: unknown) => error,
    );
    const korean = await chromium.newContext();
    await korean.addCookies([{ name: 'gh.lang', value: 'ko', url: gh.origin }]);
    const page = await korean.newPage();
    await page.goto(refused.verification_uri);
    await page.getByTestId('device-input').waitFor();
    expect(await page.locator('h1').textContent()).toBe('기기 연결');
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    await page.locator('#user_code').fill('WXYZ-WXYZ');
    await page.getByRole('button', { name: '계속' }).click();
    await page.getByText('코드가 올바르지 않습니다. 기기를 확인하고 다시 시도하세요.').waitFor();
    await page.locator('#user_code').fill(refused.user_code);
    await page.getByRole('button', { name: '계속' }).click();
    await page.getByTestId('device-confirm').waitFor();
    expect(await page.locator('h1').textContent()).toBe('TV app을(를) 연결할까요?');
    await screenshot(page, 'oauth-device-ko');
    await page.getByRole('button', { name: '거부' }).click();
    await page.waitForURL(`${gh.origin}/device?result=denied`);
    expect(await page.locator('h1').textContent()).toBe('요청 거부됨');
    await screenshot(page, 'oauth-device-ko-denied');
    await korean.close();
    expect(await refusedPolling).toMatchObject({ error: 'access_denied' });
  }, 120_000);

  it('RP-initiated logout in Chromium ends the provider and web sessions and notifies back-channel', async () => {
    const created = await gh.createClient({
      name: 'Logout RP',
      redirectUris: [REDIRECT],
      type: 'confidential',
      postLogoutRedirectUris: ['https://rp.example/bye'],
      backchannelLogoutUri: `${rp.url}/backchannel`,
    });
    const config = await client.discovery(new URL(gh.issuer), created.client_id, created.client_secret, undefined, insecure);
    const { context, visited } = await rpContext();
    const page = await context.newPage();
    // The user is signed in to gatehouse's web app (a server-side session)…
    const login = await page.request.post(`${gh.origin}/api/auth/session/login`, { data: { email: EMAIL, password: PASSWORD }, headers: { origin: gh.origin } });
    expect(login.status()).toBe(200);
    expect((await page.request.get(`${gh.origin}/api/me`)).status()).toBe(200);

    // …signs in to the relying party through gatehouse (no password asked again)…
    const verifier = client.randomPKCECodeVerifier();
    await page.goto(
      client
        .buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: 'lo', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })
        .href,
    );
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL('https://rp.example/callback**');
    expect(visited).toHaveLength(1);
    const tokens = await client.authorizationCodeGrant(config, visited[0]!, { pkceCodeVerifier: verifier, expectedState: 'lo' });

    // …and signs out from the relying party, choosing to sign out of gatehouse.
    await page.goto(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/bye' }).href);
    await screenshot(page, 'oauth-logout-confirm');
    await page.getByRole('button', { name: 'Yes, sign me out of gatehouse' }).click();
    // Wait on the navigation itself, not on a wall-clock budget (expect.poll gives up after 1 s).
    await page.waitForURL('https://rp.example/bye**');
    expect(visited.map((u) => u.pathname)).toContain('/bye');

    // The web session is over too.
    expect((await page.request.get(`${gh.origin}/api/me`)).status()).toBe(401);
    // Back-channel: a logout token for this client and this session, signed by the provider.
    await expect.poll(() => rp.received.length, { timeout: 30_000 }).toBe(1);
    const logoutToken = rp.received[0]!.get('logout_token')!;
    const { payload, protectedHeader } = await jwtVerify(logoutToken, createRemoteJWKSet(new URL(`${gh.issuer}/jwks`)), { issuer: gh.issuer, audience: created.client_id });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.sid).toBe(tokens.claims()!.sid);
    expect(payload.nonce).toBeUndefined();
    await context.close();
  }, 120_000);

  it('a registered SPA origin calls the API from Chromium, preflight included; others cannot', async () => {
    const stranger = await startRelyingPartyServer();
    try {
      const spa = await gh.createClient({ name: 'SPA', redirectUris: [`${rp.url}/cb`], type: 'public' });
      const config = await client.discovery(new URL(gh.issuer), spa.client_id, undefined, client.None(), insecure);
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, { redirect_uri: `${rp.url}/cb`, scope: 'openid profile:read', state: 'spa', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: EMAIL, password: PASSWORD });
      const { access_token } = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'spa' });

      const context = await chromium.newContext();
      const page = await context.newPage();
      const call = (from: string) =>
        page.goto(`${from}/`).then(() =>
          page.evaluate(
            async ([target, token]) => {
              try {
                const response = await fetch(target!, { headers: { authorization: `Bearer ${token}` } });
                return { status: response.status, body: (await response.json()) as { email?: string } };
              } catch (error) {
                return { error: String(error) };
              }
            },
            [`${gh.origin}/api/resources/profile`, access_token],
          ),
        );
      expect(await call(rp.url)).toMatchObject({ status: 200, body: { email: EMAIL } });
      expect(await call(stranger.url)).toMatchObject({ error: expect.stringMatching(/Failed to fetch/) });
      await context.close();

      // The preflight itself, as the browser sent it.
      const preflight = await fetch(`${gh.origin}/api/resources/profile`, { method: 'OPTIONS', headers: { origin: rp.url, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(rp.url);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      const refused = await fetch(`${gh.origin}/api/resources/profile`, { method: 'OPTIONS', headers: { origin: stranger.url, 'access-control-request-method': 'GET' } });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await stranger.close();
    }
  }, 120_000);

  it('pages follow ui_locales and gh.lang, login_hint fills the email, prompt=create signs up', async () => {
    const created = await gh.createClient({ name: 'Locale RP', redirectUris: [REDIRECT], type: 'public' });
    const config = await client.discovery(new URL(gh.issuer), created.client_id, undefined, client.None(), insecure);
    const start = async (params: Record<string, string>, cookie?: string) => {
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: 's', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params });
      const browser = new Browser();
      if (cookie) browser.jar.store(new URL(gh.origin), new Response(null, { headers: { 'set-cookie': `${cookie}; Path=/` } }));
      const { response, url: at } = await browser.follow(url, gh.origin);
      return { browser, html: await response.text(), at, verifier };
    };
    const korean = await start({ ui_locales: 'ko-KR en' });
    expect(korean.html).toContain('<html lang="ko">');
    expect(korean.html).toContain('(으)로 계속하려면 로그인하세요');
    // The web app's choice, when the client names no locale.
    expect((await start({}, 'gh.lang=ko')).html).toContain('<html lang="ko">');
    // ui_locales wins over the cookie.
    expect((await start({ ui_locales: 'en' }, 'gh.lang=ko')).html).toContain('<html lang="en">');
    // login_hint pre-fills the email; a hint that is not an email is ignored.
    expect((await start({ login_hint: EMAIL })).html).toContain(`name="email" required value="${EMAIL}"`);
    expect((await start({ login_hint: '"><script>' })).html).not.toContain('<script>');

    // prompt=create: the sign-up page, then consent, then back to the client with a new account.
    const signup = await start({ prompt: 'create', login_hint: 'new-user@example.com' });
    expect(signup.html).toContain('name="name"');
    const page = parsePage(signup.html);
    const { response, url } = await signup.browser.submit(new URL(page.actions[0]!, signup.at), [['csrf', page.csrf], ['name', 'New User'], ['email', 'new-user@example.com'], ['password', 'glacier otter velvet 42 lantern']], gh.origin);
    const consentHtml = await response.text();
    const consent = parsePage(consentHtml);
    expect(consent.allowButton, consentHtml.replace(/<style[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 600)).toBe(true);
    const { url: callback } = await signup.browser.submit(new URL(consent.actions[0]!, url), [['csrf', consent.csrf], ['scope', 'openid']], gh.origin);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: signup.verifier, expectedState: 's' });
    const user = await gh.gh.ctx.identity.getUser(tokens.claims()!.sub);
    expect(user).toMatchObject({ email: 'new-user@example.com', name: 'New User' });
  }, 120_000);
});
