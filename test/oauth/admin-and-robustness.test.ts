// The clients admin API (admin only, secret shown once) and bad input on the /oidc tree: every
// malformed request gets a clear 4xx and the node keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type RunningGatehouse } from './support.js';

describe('OAuth clients admin API and robustness', () => {
  let gh: RunningGatehouse;
  let admin: string;
  let user: string;
  const headers = (cookie: string, json = true) => ({ cookie, origin: gh.origin, 'x-requested-with': 'fetch', ...(json ? { 'content-type': 'application/json' } : {}) });

  beforeAll(async () => {
    gh = await startGatehouse();
    const a = await gh.gh.ctx.identity.signup({ email: 'root@example.com', password: 'root password 123', roles: ['admin'] });
    const u = await gh.signup('user@example.com', 'user password 123');
    const name = gh.gh.ctx.cookies.names.session;
    admin = `${name}=${(await gh.gh.ctx.sessions.create({ userId: a.id, ip: '127.0.0.1', userAgent: 't' })).token}`;
    user = `${name}=${(await gh.gh.ctx.sessions.create({ userId: u.id, ip: '127.0.0.1', userAgent: 't' })).token}`;
  }, 60_000);
  afterAll(() => gh?.close());

  it('lets an admin create, list and delete clients; others get 403', async () => {
    const body = JSON.stringify({ name: 'Admin-made', redirect_uris: ['https://app.example/cb'], type: 'confidential', scopes: ['openid', 'profile:read'] });
    expect((await fetch(`${gh.origin}/api/oauth/clients`, { method: 'POST', headers: headers(user), body })).status).toBe(403);
    const created = await fetch(`${gh.origin}/api/oauth/clients`, { method: 'POST', headers: headers(admin), body });
    expect(created.status).toBe(201);
    const client = (await created.json()) as { client_id: string; client_secret: string; scope: string };
    expect(client.client_secret).toBeDefined();
    expect(client.scope).toBe('openid profile:read');
    const list = (await (await fetch(`${gh.origin}/api/oauth/clients`, { headers: headers(admin, false) })).json()) as { clients: { client_id: string; client_secret?: string }[] };
    const listed = list.clients.find((c) => c.client_id === client.client_id);
    expect(listed).toBeDefined();
    expect(listed!.client_secret).toBeUndefined();
    // The client works at the token endpoint…
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const token = () =>
      fetch(`${gh.issuer}/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect((await token()).status).toBe(200);
    // …until it is deleted.
    expect((await fetch(`${gh.origin}/api/oauth/clients/${client.client_id}`, { method: 'DELETE', headers: headers(admin, false) })).status).toBe(204);
    expect((await token()).status).toBe(401);
    expect((await fetch(`${gh.origin}/api/oauth/clients/${client.client_id}`, { method: 'DELETE', headers: headers(admin, false) })).status).toBe(404);
    const bad = await fetch(`${gh.origin}/api/oauth/clients`, {
      method: 'POST',
      headers: headers(admin),
      body: JSON.stringify({ name: 'x', redirect_uris: ['javascript:alert(1)'], type: 'public' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('GH_OAUTH_CLIENT_INVALID');
  }, 60_000);

  it('answers malformed /oidc and interaction requests with 4xx and keeps serving', async () => {
    const attempts: [string, RequestInit][] = [
      ['/oidc/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%&&&===' }],
      ['/oidc/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' }],
      ['/oidc/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&x=${'a'.repeat(70_000)}` }],
      ['/oidc/token/introspection', { method: 'POST', body: 'token=abc' }],
      ['/oidc/auth?client_id=nope&response_type=code', { method: 'GET' }],
      ['/oidc/auth?response_type=token&client_id=x&redirect_uri=https://evil.example', { method: 'GET' }],
      ['/oidc/interaction/does-not-exist', { method: 'GET' }],
      ['/oidc/interaction/does-not-exist/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
      ['/oidc/interaction/does-not-exist/confirm', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'scope=openid' }],
      ['/oidc/me', { method: 'GET', headers: { authorization: 'Bearer not-a-token' } }],
      ['/oidc/reg', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"redirect_uris":["https://a.example/cb"]}' }],
      ['/api/resources/profile', { method: 'GET', headers: { authorization: 'Bearer eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJpc3MiOiJ4In0.' } }],
      ['/api/resources/profile', { method: 'GET', headers: { authorization: 'DPoP @@@' } }],
    ];
    for (const [path, init] of attempts) {
      const response = await fetch(`${gh.origin}${path}`, { ...init, redirect: 'manual' });
      expect(response.status, `${init.method} ${path.slice(0, 60)}`).toBeGreaterThanOrEqual(300);
      expect(response.status, `${init.method} ${path.slice(0, 60)}`).toBeLessThan(500);
      await response.arrayBuffer();
    }
    expect((await fetch(`${gh.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  }, 60_000);
});
