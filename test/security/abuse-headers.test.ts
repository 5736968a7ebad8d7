// Clickjacking, MIME sniffing and cached personal data: every HTML page (the OpenID Provider's own
// pages and Swagger UI included) carries the security headers, JSON carries nosniff, and API answers
// holding credentials or personal data are not stored by any cache.
import { describe, expect, it } from 'vitest';
import { ATTACK_STACK, useTestNode } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';

function expectPageHeaders(headers: Headers, what: string): void {
  expect(headers.get('content-type'), what).toMatch(/text\/html/);
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  // Scripts only from here (or none at all), never inline; no plugins.
  const noneByDefault = /default-src 'none'/.test(csp) && !/script-src/.test(csp);
  expect(noneByDefault || /script-src 'self'/.test(csp), what).toBe(true);
  expect(csp, what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(noneByDefault || /object-src 'none'/.test(csp), what).toBe(true);
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('referrer-policy'), what).toBe('no-referrer');
}

describe('security headers on every page', () => {
  const env = useTestNode(ATTACK_STACK);

  const get = (path: string) => fetch(`${env.node.url}${path}`, { redirect: 'manual' });

  it("the OpenID Provider's logout page (its self-submitting form keeps working under the policy)", async () => {
    const response = await get('/oidc/session/end');
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('<form');
    expectPageHeaders(response.headers, 'logout');
    // oidc-provider allowed its own inline script by hash, nothing else inline.
    if (body.includes('<script>')) expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
  });

  it("the OpenID Provider's error pages", async () => {
    const authError = await get('/oidc/auth?client_id=no-such-client&response_type=code&scope=openid');
    expect(authError.status).toBe(400);
    expectPageHeaders(authError.headers, 'authorization error');
    const interactionError = await get('/oidc/interaction/no-such-interaction');
    expect(interactionError.status).toBeGreaterThanOrEqual(400);
    expectPageHeaders(interactionError.headers, 'interaction error');
  });

  it("the device-code page and its provider step, and the login page of a real authorization request; no cache keeps them", async () => {
    // A person opening the provider's device endpoint is sent to the web app's device page.
    const redirect = await get('/oidc/device');
    expect(redirect.status).toBe(303);
    expect(new URL(redirect.headers.get('location')!, env.node.url).pathname).toBe('/device');
    const device = await get('/device');
    expect(device.status).toBe(200);
    expectPageHeaders(device.headers, 'device code page');
    // The page's JSON step from the provider carries the session's xsrf secret: never cached.
    const step = await fetch(`${env.node.url}/oidc/device`, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(step.status).toBe(200);
    expect(((await step.json()) as { step: string }).step).toBe('input');
    expect(step.headers.get('cache-control'), 'device step').toMatch(/no-store/);
    expect(step.headers.get('x-content-type-options'), 'device step').toBe('nosniff');
    expect((await get('/oidc/session/end')).headers.get('cache-control'), 'logout page').toMatch(/no-store/);

    const admin = new TestClient(env.node.url);
    const user = freshUser('headers-admin');
    await env.node.node.ctx.identity.signup({ email: user.email, password: user.password, roles: ['user', 'admin'] });
    expect((await admin.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const client = await admin.post('/api/oauth/clients', { name: 'Headers RP', redirect_uris: ['https://rp.example/cb'], type: 'confidential' });
    expect(client.status).toBe(201);
    const query = new URLSearchParams({ client_id: client.body.client_id, response_type: 'code', scope: 'openid', redirect_uri: 'https://rp.example/cb', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256', state: 's' });
    const authorize = await get(`/oidc/auth?${query}`);
    expect(authorize.status).toBe(303);
    const cookie = authorize.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const login = await fetch(new URL(authorize.headers.get('location')!, env.node.url), { headers: { cookie }, redirect: 'manual' });
    expect(login.status).toBe(200);
    expectPageHeaders(login.headers, 'login prompt');
    expect(login.headers.get('cache-control'), 'login prompt').toMatch(/no-store/);
    // The provider's public documents stay cacheable.
    expect((await get('/oidc/jwks')).headers.get('cache-control') ?? '').not.toMatch(/no-store/);
  });

  it('the web app and the documentation pages, known and unknown paths alike', async () => {
    for (const path of ['/', '/signup', '/no-such-page', '/docs/threat-model']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expectPageHeaders(response.headers, path);
    }
    const script = await get('/docs/api/static/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('Swagger UI', async () => {
    let response = await get('/docs/api');
    for (let hops = 0; hops < 3 && response.status >= 300 && response.status < 400; hops += 1) response = await get(new URL(response.headers.get('location')!, env.node.url).pathname);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
    expectPageHeaders(response.headers, 'swagger ui');
  });

  it('JSON answers carry nosniff; answers with credentials or personal data are no-store', async () => {
    const client = new TestClient(env.node.url);
    const user = freshUser('headers');
    const signup = await client.post('/api/auth/signup', user);
    expect(signup.status).toBe(201);
    const login = await client.post('/api/auth/session/login', { email: user.email, password: user.password });
    const me = await client.get('/api/me');
    const audit = await client.get('/api/audit');
    const exported = await client.get('/api/account/export');
    const sessions = await client.get('/api/auth/sessions');
    const jwtClient = new TestClient(env.node.url);
    const jwt = await jwtClient.post('/api/auth/jwt/login', { email: user.email, password: user.password });
    const refreshed = await jwtClient.post('/api/auth/jwt/refresh', {});
    for (const [what, response] of Object.entries({ signup, login, me, audit, exported, sessions, jwt, refreshed })) {
      expect(response.status, what).toBeLessThan(300);
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(response.headers.get('cache-control'), what).toMatch(/no-store/);
    }
    const unauthenticated = await new TestClient(env.node.url).get('/api/me');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('/healthz')).headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('/oidc/.well-known/openid-configuration')).headers.get('x-content-type-options')).toBe('nosniff');
  });
});
