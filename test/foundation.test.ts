// Accounts, sessions and cookies end to end: real nodes on ephemeral ports, real stores, a client that behaves like a browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestNode, type TestStack } from './support/app.js';
import { TestClient, freshUser } from './support/client.js';
import { until } from './support/wait.js';

const creds = (who: { email: string; password: string }) => ({ email: who.email, password: who.password });

describe.each([
  { label: 'SQLite', dialect: 'sqlite' as const, redis: false },
  { label: 'PostgreSQL + Redis', dialect: 'postgres' as const, redis: true },
])('foundation on $label', ({ dialect, redis }) => {
  let stack: TestStack;
  let node: TestNode;
  beforeAll(async () => {
    stack = await createTestStack({ dialect, redis });
    node = await stack.startNode();
  });
  afterAll(() => stack.dispose());

  it('signs up, then logs in with cookie mode and answers /api/me', async () => {
    const who = freshUser('cookie');
    const browser = new TestClient(node.url);
    const signup = await browser.post('/api/auth/signup', who);
    expect(signup.status).toBe(201);
    expect(signup.body.user.email).toBe(who.email);
    expect(JSON.stringify(signup.body)).not.toContain(who.password);

    const login = await browser.post('/api/auth/cookie/login', { email: who.email, password: who.password });
    expect(login.status).toBe(200);
    const cookie = login.setCookies.find((c) => c.startsWith('__Host-gh.auth='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=(Lax|Strict)/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    // Sealed: the value is a JWE, the email is not readable in it.
    expect(cookie).not.toContain(who.email);
    expect(cookie.split(';')[0]!.split('=')[1]!.split('.')).toHaveLength(5);

    const me = await browser.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(who.email);
    expect(me.body.credential.kind).toBe('cookie');

    const logout = await browser.post('/api/auth/cookie/logout');
    expect(logout.status).toBe(204);
    expect((await browser.get('/api/me')).status).toBe(401);
  });

  it('session mode: HttpOnly opaque id, list, revoke, revoke-others, new id at every login', async () => {
    const who = freshUser('session');
    const laptop = new TestClient(node.url);
    const phone = new TestClient(node.url, { headers: { 'user-agent': 'phone' } });
    await laptop.post('/api/auth/signup', who);
    const first = await laptop.post('/api/auth/session/login', { email: who.email, password: who.password });
    expect(first.status).toBe(200);
    const sid1 = laptop.cookies.get('__Host-gh.sid')!;
    expect(Buffer.from(sid1, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(first.setCookies[0]).toMatch(/HttpOnly/i);
    expect(first.setCookies[0]).toMatch(/SameSite=Lax/i);

    // Logging in again replaces the id: the old one is dead (no fixation).
    await laptop.post('/api/auth/session/login', { email: who.email, password: who.password });
    const sid2 = laptop.cookies.get('__Host-gh.sid')!;
    expect(sid2).not.toBe(sid1);
    const stale = new TestClient(node.url);
    stale.cookies.set('__Host-gh.sid', sid1);
    expect((await stale.get('/api/me')).status).toBe(401);

    await phone.post('/api/auth/session/login', { email: who.email, password: who.password });
    const listed = await laptop.get('/api/auth/sessions');
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(2);
    const current = listed.body.sessions.find((s: any) => s.current);
    const other = listed.body.sessions.find((s: any) => !s.current);
    expect(current.ip).toBe('127.0.0.1');
    expect(other.userAgent).toBe('phone');
    expect(JSON.stringify(listed.body)).not.toContain(sid2);

    // Revoke the phone's session from the laptop.
    expect((await laptop.delete(`/api/auth/sessions/${other.id}`)).status).toBe(204);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await laptop.delete(`/api/auth/sessions/${other.id}`)).status).toBe(404);

    // revoke-others keeps the current one only.
    const tablet = new TestClient(node.url);
    await tablet.post('/api/auth/session/login', { email: who.email, password: who.password });
    const result = await laptop.post('/api/auth/sessions/revoke-others');
    expect(result.body.revoked).toBe(1);
    expect((await tablet.get('/api/me')).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(200);

    expect((await laptop.post('/api/auth/session/logout')).status).toBe(204);
    expect((await laptop.get('/api/me')).status).toBe(401);
  });

  it('a password change ends every other session and voids old sealed cookies', async () => {
    const who = freshUser('pwchange');
    const a = new TestClient(node.url);
    const b = new TestClient(node.url);
    const c = new TestClient(node.url);
    await a.post('/api/auth/signup', who);
    await a.post('/api/auth/session/login', creds(who));
    await b.post('/api/auth/session/login', creds(who));
    await c.post('/api/auth/cookie/login', creds(who));
    const next = `${who.password} v2`;
    expect((await a.post('/api/auth/password', { currentPassword: who.password, newPassword: next })).status).toBe(204);
    expect((await a.get('/api/me')).status).toBe(200);
    expect((await b.get('/api/me')).status).toBe(401);
    const cookieMe = await c.get('/api/me');
    expect(cookieMe.status).toBe(401);
    expect(cookieMe.body.error).toBe('GH_AUTH_CREDENTIAL_REVOKED');
    expect((await new TestClient(node.url).post('/api/auth/session/login', creds(who))).status).toBe(401);
    expect((await new TestClient(node.url).post('/api/auth/session/login', { email: who.email, password: next })).status).toBe(200);
  });

  it('answers an unknown email and a wrong password alike', async () => {
    const who = freshUser('enum');
    const client = new TestClient(node.url);
    await client.post('/api/auth/signup', who);
    const wrong = await client.post('/api/auth/session/login', { email: who.email, password: 'not the password at all' });
    const unknown = await client.post('/api/auth/session/login', { email: `nobody.${who.email}`, password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('refuses cookie-authenticated cross-site writes (CSRF)', async () => {
    const who = freshUser('csrf');
    const browser = new TestClient(node.url);
    await browser.post('/api/auth/signup', who);
    await browser.post('/api/auth/session/login', creds(who));
    const evil = await browser.request('POST', '/api/auth/sessions/revoke-others', { json: {}, headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.body.error).toBe('GH_AUTH_CSRF');
    const simpleForm = await browser.request('POST', '/api/auth/sessions/revoke-others', { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: 'null' } });
    expect(simpleForm.status).toBe(403);
    const same = await browser.post('/api/auth/sessions/revoke-others');
    expect(same.status).toBe(200);
  });

  it('gives clear coded errors for bad input, never a 500', async () => {
    const client = new TestClient(node.url);
    const missing = await client.post('/api/auth/signup', { email: 'a@b.test' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('GH_CORE_VALIDATION');
    expect(missing.body.message).toContain('password');
    const badJson = await client.request('POST', '/api/auth/signup', { body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    const huge = await client.request('POST', '/api/auth/signup', { body: JSON.stringify({ email: 'x@y.test', password: 'p'.repeat(2_000_000) }), headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('GH_CORE_BODY_TOO_LARGE');
    const shortPw = await client.post('/api/auth/signup', { email: freshUser().email, password: 'short' });
    expect(shortPw.body.error).toBe('GH_AUTH_PASSWORD_TOO_SHORT');
    const common = await client.post('/api/auth/signup', { email: freshUser().email, password: 'password123' });
    expect(common.body.error).toBe('GH_AUTH_PASSWORD_COMMON');
    const long = await client.post('/api/auth/signup', { ...freshUser(), password: 'x'.repeat(64) + ' long passphrase' });
    expect(long.status).toBe(201);
    const garbageCookie = new TestClient(node.url);
    garbageCookie.cookies.set('__Host-gh.auth', 'not.a.jwe.at.all');
    expect((await garbageCookie.get('/api/me')).body.error).toBe('GH_AUTH_COOKIE_INVALID');
    const notFound = await client.get('/api/nothing-here');
    expect(notFound.status).toBe(404);
    expect(notFound.body.error).toBe('GH_CORE_NOT_FOUND');
  });

  it('throttles repeated failures with 429 and Retry-After, shared by every node', async () => {
    const who = freshUser('throttle');
    const client = new TestClient(node.url);
    await client.post('/api/auth/signup', who);
    const second = await stack.startNode();
    const other = new TestClient(second.url);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const target = i % 2 === 0 ? client : other;
      statuses.push((await target.post('/api/auth/session/login', { email: who.email, password: `wrong password ${i}` })).status);
    }
    expect(statuses).toContain(429);
    const throttled = await other.post('/api/auth/session/login', { email: who.email, password: who.password });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.body.error).toBe('GH_AUTH_THROTTLED');
  });

  it('keeps an audit trail the user can read', async () => {
    const who = freshUser('audit');
    const client = new TestClient(node.url);
    await client.post('/api/auth/signup', who);
    await client.post('/api/auth/session/login', { email: who.email, password: 'wrong wrong wrong' });
    await client.post('/api/auth/session/login', creds(who));
    const audit = await client.get('/api/audit');
    expect(audit.status).toBe(200);
    const types = audit.body.events.map((e: any) => e.type);
    expect(types).toEqual(expect.arrayContaining(['signup', 'login.failure', 'login.success']));
    expect(audit.body.events.every((e: any) => e.userId === audit.body.events[0].userId)).toBe(true);
    expect(JSON.stringify(audit.body)).not.toContain(who.password);
    expect((await client.get('/api/audit?userId=someone-else')).status).toBe(403);
  });

  it('serves health, readiness, metrics and the OpenAPI description', async () => {
    const client = new TestClient(node.url);
    expect((await client.get('/healthz')).status).toBe(200);
    const ready = await client.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toBe('ok');
    const metrics = await client.get('/metrics');
    expect(metrics.body).toContain('gatehouse_http_requests_total');
    expect(metrics.body).toContain('nodejs_eventloop_lag');
    const spec = await client.get('/openapi.json');
    expect(spec.body.openapi).toBe('3.1.0');
    for (const path of ['/api/auth/signup', '/api/auth/cookie/login', '/api/auth/session/login', '/api/auth/sessions', '/api/auth/sessions/{id}', '/api/me', '/api/audit']) {
      expect(Object.keys(spec.body.paths)).toContain(path);
    }
    expect(spec.body.paths['/api/auth/signup'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['email', 'password']));
    expect((await client.get('/docs/api/')).status).toBe(200);
  });

  it('sets readable preference cookies', async () => {
    const client = new TestClient(node.url);
    const set = await client.request('PUT', '/api/preferences', { json: { theme: 'dark', lang: 'ko' } });
    expect(set.status).toBe(200);
    const theme = set.setCookies.find((c) => c.startsWith('gh.theme='))!;
    expect(theme).not.toMatch(/HttpOnly/i);
    expect((await client.get('/api/preferences')).body).toEqual({ theme: 'dark', lang: 'ko' });
    expect((await client.request('PUT', '/api/preferences', { json: { theme: 'neon' } })).status).toBe(400);
  });
});

describe('readiness and dependency health are different things', () => {
  it('keeps /readyz at 200 when the shared Redis is unreachable, and says so in /healthz/deps', async () => {
    const stack = await createTestStack({ config: { storage: { redisUrl: 'redis://127.0.0.1:1' } } });
    try {
      const node = await stack.startNode();
      const client = new TestClient(node.url);
      // The probe runs in the background: wait for it to have seen Redis down.
      await until(async () => (await client.get('/healthz/deps')).body.dependencies?.redis?.state === 'down', 'the probe to see Redis down');
      const deps = await client.get('/healthz/deps');
      expect(deps.status).toBe(503);
      const ready = await client.get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'degraded', checks: { redis: 'down', database: 'ok' } });
      expect((await client.get('/healthz')).status).toBe(200);
    } finally {
      await stack.dispose();
    }
  });
});

describe('node vital signs', () => {
  it('answers loopback callers only, not clients forwarded by the balancer', async () => {
    const stack = await createTestStack();
    try {
      // As under `gatehouse up`: the balancer on this machine is the trusted proxy.
      const node = await stack.startNode({ server: { trustProxy: '127.0.0.1' } });
      const direct = await new TestClient(node.url).get('/api/node/stats');
      expect(direct.status).toBe(200);
      expect(direct.body.eventLoopDelayMs.p99).toEqual(expect.any(Number));
      expect(direct.body.memory.rssBytes).toBeGreaterThan(0);
      const forwarded = await new TestClient(node.url).get('/api/node/stats', { 'x-forwarded-for': '203.0.113.9' });
      expect(forwarded.status).toBe(404);
    } finally {
      await stack.dispose();
    }
  });
});
