// A spoofed Host or X-Forwarded-Host: absolute URLs come from the configured public URL only, and a
// request naming another host cannot pass as same-origin.
import { describe, expect, it } from 'vitest';
import { ATTACK_STACK, useTestNode } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { rawRequest } from './abuse-support.js';

const EVIL = 'evil.example';

describe('absolute URLs come from configuration, never from the request', () => {
  const env = useTestNode(ATTACK_STACK);

  it.each([
    ['Host', { host: EVIL }],
    ['X-Forwarded-Host', { 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'https' }],
    ['both', { host: EVIL, 'x-forwarded-host': EVIL, forwarded: `host=${EVIL};proto=https` }],
  ])('OpenID discovery with a spoofed %s names only the configured origin', async (_label, headers) => {
    const response = await rawRequest(env.node.port, 'GET', '/oidc/.well-known/openid-configuration', headers);
    expect(response.status).toBe(200);
    const urls = JSON.stringify(JSON.parse(response.body)).match(/https?:\/\/[^"]+/g) ?? [];
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(new URL(url).origin).toBe(env.node.url);
    expect(response.body).not.toContain(EVIL);
  });

  it('a page that names itself in both Host and Origin (DNS rebinding) is not same-origin', async () => {
    const victim = new TestClient(env.node.url);
    const user = freshUser('host');
    expect((await victim.post('/api/auth/signup', user)).status).toBe(201);
    expect((await victim.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const response = await rawRequest(env.node.port, 'POST', '/api/auth/logout-everywhere', {
      host: `${EVIL}:${env.node.port}`,
      origin: `http://${EVIL}:${env.node.port}`,
      cookie: victim.cookieHeader(),
      'content-type': 'application/json',
    }, '{}');
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'GH_AUTH_CSRF' });
    expect((await victim.get('/api/me')).status).toBe(200);
  });
});
