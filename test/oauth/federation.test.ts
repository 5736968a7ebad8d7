// Federation end to end: gatehouse A signs its users in through gatehouse B, both
// real servers; B is "any OpenID Connect issuer by URL" to A. Covers new-account sign-in, the
// explicit-linking rule for an existing address, linking while signed in, state binding, and unlinking.
// The takeover attacks themselves are in test/security/federation-takeover.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeInBrowser, Browser, startGatehouse, type RunningGatehouse } from './support.js';

describe('federation: gatehouse A signs in through gatehouse B', () => {
  let a: RunningGatehouse;
  let b: RunningGatehouse;
  let adminCookie: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startGatehouse(), startGatehouse()]);
    const registered = await b.createClient({ name: 'Gatehouse A', type: 'confidential', redirectUris: [`${a.origin}/api/auth/federation/gh-b/callback`], scopes: ['openid', 'email', 'profile'] });
    const admin = await a.gh.ctx.identity.signup({ email: 'admin@a.example', password: 'admin password 123', roles: ['admin'] });
    const session = await a.gh.ctx.sessions.create({ userId: admin.id, ip: '127.0.0.1', userAgent: 'test' });
    adminCookie = `${a.gh.ctx.cookies.names.session}=${session.token}`;
    const added = await fetch(`${a.origin}/api/auth/federation/providers`, {
      method: 'POST',
      headers: { cookie: adminCookie, origin: a.origin, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'gh-b', kind: 'oidc', issuer: b.issuer, clientId: registered.client_id, clientSecret: registered.client_secret, scope: 'openid email profile', displayName: 'Gatehouse B' }),
    });
    expect(added.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  /** Browser: start at A, sign in at B (login + consent), come back to A's callback, follow to the end. */
  async function signInThroughB(browser: Browser, email: string, password: string, query = '') {
    const start = await browser.request(`${a.origin}/api/auth/federation/gh-b/start${query}`);
    expect(start.status).toBe(302);
    const toB = new URL(start.headers.get('location')!);
    expect(toB.origin).toBe(b.origin);
    expect(toB.searchParams.get('code_challenge_method')).toBe('S256');
    expect(toB.searchParams.get('nonce')).toBeTruthy();
    const callback = await authorizeInBrowser({ authorizationUrl: toB, origin: b.origin, email, password, browser });
    expect(callback.origin + callback.pathname).toBe(`${a.origin}/api/auth/federation/gh-b/callback`);
    expect(callback.searchParams.get('iss')).toBe(b.issuer);
    return { callback, response: await browser.request(callback) };
  }

  const me = async (browser: Browser) => {
    const response = await browser.request(`${a.origin}/api/me`);
    return { status: response.status, body: (await response.json()) as { user?: { email: string; id: string } } };
  };

  it('lists the provider and creates an account on first sign-in', async () => {
    const providers = (await (await fetch(`${a.origin}/api/auth/federation/providers`)).json()) as { providers: { id: string; kind: string }[] };
    expect(providers.providers).toEqual([expect.objectContaining({ id: 'gh-b', kind: 'oidc', displayName: 'Gatehouse B' })]);

    await b.signup('dana@example.com', 'dana password 123', 'Dana');
    const browser = new Browser();
    const { response } = await signInThroughB(browser, 'dana@example.com', 'dana password 123', '?return_to=/welcome');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/welcome');
    const who = await me(browser);
    expect(who.status).toBe(200);
    expect(who.body.user?.email).toBe('dana@example.com');

    const links = (await (await browser.request(`${a.origin}/api/auth/federation/links`)).json()) as { links: { id: string; provider: string; emailVerified: boolean }[] };
    expect(links.links).toEqual([expect.objectContaining({ provider: 'gh-b', emailVerified: false })]);

    // Second time: the link signs the same account in, no new one.
    const again = new Browser();
    await signInThroughB(again, 'dana@example.com', 'dana password 123');
    expect((await me(again)).body.user?.id).toBe(who.body.user?.id);
  }, 120_000);

  it('refuses to join an existing account on an unverified email; the signed-in owner links explicitly', async () => {
    await a.signup('erin@example.com', 'erin password at A');
    await b.signup('erin@example.com', 'erin password at B');
    const stranger = new Browser();
    const { response } = await signInThroughB(stranger, 'erin@example.com', 'erin password at B');
    // A page of the web app explains it (an account exists: sign in and link), not a JSON body.
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/federation/problem?code=GH_OAUTH_LINK_REQUIRED&provider=gh-b');
    expect((await me(stranger)).status).toBe(401);

    // Erin signs in to A with her password, then links B from her account.
    const erin = new Browser();
    const login = await erin.request(`${a.origin}/api/auth/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: a.origin },
      body: JSON.stringify({ email: 'erin@example.com', password: 'erin password at A' }),
    });
    expect(login.status).toBe(200);
    const link = await erin.request(`${a.origin}/api/auth/federation/gh-b/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: a.origin },
      body: JSON.stringify({ returnTo: '/account' }),
    });
    expect(link.status).toBe(200);
    const { authorizationUrl } = (await link.json()) as { authorizationUrl: string };
    const linkCallback = await authorizeInBrowser({ authorizationUrl: new URL(authorizationUrl), origin: b.origin, email: 'erin@example.com', password: 'erin password at B', browser: erin });
    const linked = await erin.request(linkCallback);
    expect(linked.status).toBe(303);
    expect(linked.headers.get('location')).toBe('/account');
    const list = (await (await erin.request(`${a.origin}/api/auth/federation/links`)).json()) as { links: { id: string; provider: string }[] };
    expect(list.links.map((l) => l.provider)).toEqual(['gh-b']);

    // Now B signs Erin in to her existing account, no password at A.
    const later = new Browser();
    await signInThroughB(later, 'erin@example.com', 'erin password at B');
    expect((await me(later)).body.user?.email).toBe('erin@example.com');

    // Unlinking removes it; B alone no longer reaches the account.
    const removed = await erin.request(`${a.origin}/api/auth/federation/links/${list.links[0]!.id}`, { method: 'DELETE', headers: { origin: a.origin, 'x-requested-with': 'fetch' } });
    expect(removed.status).toBe(204);
    const afterUnlink = await signInThroughB(new Browser(), 'erin@example.com', 'erin password at B');
    expect(afterUnlink.response.headers.get('location')).toBe('/federation/problem?code=GH_OAUTH_LINK_REQUIRED&provider=gh-b');
  }, 120_000);

  it('refuses a callback whose state is not bound to this browser, or replayed', async () => {
    await b.signup('finn@example.com', 'finn password 123');
    const victim = new Browser();
    const start = await victim.request(`${a.origin}/api/auth/federation/gh-b/start`);
    const callback = await authorizeInBrowser({ authorizationUrl: new URL(start.headers.get('location')!), origin: b.origin, email: 'finn@example.com', password: 'finn password 123', browser: victim });
    // Another browser (no state cookie) presenting the callback URL — login CSRF / injected code.
    const attacker = await new Browser().request(callback);
    expect(attacker.status).toBe(303);
    expect(attacker.headers.get('location')).toBe('/federation/problem?code=GH_OAUTH_FEDERATION_STATE&provider=gh-b');
    // The callback at another provider's URL (mix-up) is refused too.
    const mixed = new URL(callback);
    mixed.pathname = '/api/auth/federation/other/callback';
    expect((await victim.request(mixed)).headers.get('location')).toBe('/federation/problem?code=GH_OAUTH_FEDERATION_STATE&provider=other');
    // That attempt used the state up: the genuine callback cannot be replayed after it.
    const replay = await victim.request(callback);
    expect(replay.headers.get('location')).toBe('/federation/problem?code=GH_OAUTH_FEDERATION_STATE&provider=gh-b');
  }, 120_000);
});
