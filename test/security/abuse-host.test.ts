// A spoofed Host or X-Forwarded-Host: absolute URLs come from the configured public URL only, and a
// request naming another host cannot pass as same-origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { rawRequest } from './abuse-support.js';

const EVIL = 'evil.example';

describe('absolute URLs come from configuration, never from the request', () => {
  let stack: TestStack;
  let node: TestNode;

  beforeAll(async () => {
    stack = await createTestStack({ config: { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false } } });
    node = await stack.startNode();
  }, 60_000);
  afterAll(() => stack?.dispose());

  it.each([
    ['Host', { host: EVIL }],
    ['X-Forwarded-Host', { 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'https' }],
    ['both', { host: EVIL, 'x-forwarded-host': EVIL, forwarded: `host=${EVIL};proto=https` }],
  ])('OpenID discovery with a spoofed %s names only the configured origin', async (_label, headers) => {
    const response = await rawRequest(node.port, 'GET', '/oidc/.well-known/openid-configuration', headers as Record<string, string>);
    expect(response.status).toBe(200);
    const urls = JSON.stringify(JSON.parse(response.body)).match(/https?:\/\/[^"]+/g) ?? [];
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(new URL(url).origin).toBe(node.url);
    expect(response.body).not.toContain(EVIL);
  });

  it('a page that names itself in both Host and Origin (DNS rebinding) is not same-origin', async () => {
    const victim = new TestClient(node.url);
    const user = freshUser('host');
    expect((await victim.post('/api/auth/signup', user)).status).toBe(201);
    expect((await victim.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const response = await rawRequest(node.port, 'POST', '/api/auth/logout-everywhere', {
      host: `${EVIL}:${node.port}`,
      origin: `http://${EVIL}:${node.port}`,
      cookie: victim.cookieHeader(),
      'content-type': 'application/json',
    }, '{}');
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'GH_AUTH_CSRF' });
    expect((await victim.get('/api/me')).status).toBe(200);
  });
});
