// Property: a third-party OAuth token is not a first-party credential. The attack: a client the user
// allowed (any scope) takes its access token to the routes the user manages the account with.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClient } from '../support/client.js';
import { BACKENDS, authorizeClient, bearer, registerClient, signUp, startSecurityStack, type Person, type SecurityStack, type ThirdPartyClient } from './support.js';

// Each case walks a whole attack across real nodes; a loaded machine may need more than the default.
vi.setConfig({ testTimeout: 180_000 });

describe.each(BACKENDS)('third-party OAuth tokens stay in their lane ($label)', (backend) => {
  let s: SecurityStack;
  let victim: Person;
  let client: ThirdPartyClient;
  let token: string;
  beforeAll(async () => {
    s = await startSecurityStack(backend);
    victim = await signUp(s.a, 'victim');
    // An admin, so that admin routes would let a first-party credential of this user through.
    await s.a.node.ctx.identity.setRoles(victim.id, ['user', 'admin']);
    client = await registerClient(s.a);
    token = (await authorizeClient(s.a, client, victim, { scope: 'openid profile:read' })).access;
  }, 120_000);
  afterAll(() => s?.dispose());

  it('is refused by every account route, on every node, with a clear code', async () => {
    for (const node of [s.a, s.b]) {
      const api = new TestClient(node.url, { origin: null });
      const attempts = [
        await api.get('/api/me', bearer(token)),
        await api.get('/api/auth/sessions', bearer(token)),
        await api.get('/api/audit', bearer(token)),
        await api.get('/api/oauth/grants', bearer(token)),
        await api.get('/api/oauth/apps', bearer(token)),
        await api.get('/api/oauth/clients', bearer(token)),
        await api.delete('/api/auth/sessions/anything', bearer(token)),
        await api.post('/api/auth/sessions/revoke-others', {}, bearer(token)),
        await api.post('/api/auth/logout-everywhere', {}, bearer(token)),
        await api.post('/api/auth/password', { currentPassword: victim.password, newPassword: `${victim.password} stolen` }, bearer(token)),
      ];
      for (const response of attempts) {
        expect(response.status).toBe(403);
        expect(response.body.error).toBe('GH_AUTH_CREDENTIAL_NOT_ACCEPTED');
        expect(JSON.stringify(response.body)).not.toContain(victim.email);
      }
    }
    // Nothing it tried took effect: the password is unchanged.
    const login = await new TestClient(s.a.url, { origin: null }).post('/api/auth/jwt/login', { email: victim.email, password: victim.password });
    expect(login.status).toBe(200);
  });

  it('is refused by every route the guard guards as first-party (the model, not a list)', async () => {
    const routes = s.a.node.hooks.routes.filter((r) => r.lane === 'first-party' && r.required);
    expect(routes.length).toBeGreaterThan(10);
    const api = new TestClient(s.b.url, { origin: null });
    for (const route of routes) {
      const path = route.url.replace(/:[A-Za-z]+/g, 'x');
      const response = await api.request(route.method, path, { ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { json: {} }), headers: bearer(token) });
      // Body validation runs before the guard, so a body route may answer 400 first: never 2xx.
      expect(response.status, `${route.method} ${route.url}`).toBeGreaterThanOrEqual(400);
      if (response.status !== 400) expect(response.body.error, `${route.method} ${route.url}`).toBe('GH_AUTH_CREDENTIAL_NOT_ACCEPTED');
    }
  });

  it('still reaches resource routes, only for the scopes it carries', async () => {
    const api = new TestClient(s.b.url, { origin: null });
    const profile = await api.get('/api/resources/profile', bearer(token));
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ sub: victim.id, client_id: client.clientId });
    const messages = await api.get('/api/resources/messages', bearer(token));
    expect(messages.status).toBe(403);
    expect(messages.body.error).toBe('GH_TOKEN_INSUFFICIENT_SCOPE');
  });
});
