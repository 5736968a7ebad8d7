// Cross-site requests that spell the path another way: every spelling the router resolves to a
// state-changing handler must meet the same CSRF check as the plain path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { rawRequest } from './abuse-support.js';

const SPELLINGS = [
  '/api/auth/logout-everywhere',
  '/%61pi/auth/logout-everywhere',
  '/%61%70%69/%61uth/logout-everywhere',
  '/api/auth/%6Cogout-everywhere',
  '/api/auth/logout%2Deverywhere',
  '/API/auth/logout-everywhere',
  '/Api/Auth/Logout-Everywhere',
  '//api/auth/logout-everywhere',
  '/api//auth/logout-everywhere',
  '/./api/auth/logout-everywhere',
  '/api/auth/logout-everywhere/',
  '/api/auth/logout-everywhere?x=1',
  '/api/auth/logout-everywhere;x',
];

describe('CSRF is decided on the route that runs', () => {
  let stack: TestStack;
  let node: TestNode;
  let victim: TestClient;

  beforeAll(async () => {
    stack = await createTestStack({ config: { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false } } });
    node = await stack.startNode();
    victim = new TestClient(node.url);
    const user = freshUser('csrf');
    expect((await victim.post('/api/auth/signup', user)).status).toBe(201);
    expect((await victim.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
  }, 60_000);
  afterAll(() => stack?.dispose());

  it.each(SPELLINGS)('a cross-site form post to %s never reaches the handler', async (path) => {
    // What a hostile page's <form method=post enctype=text/plain> sends with the victim's cookie.
    const response = await rawRequest(node.port, 'POST', path, { cookie: victim.cookieHeader(), origin: 'https://evil.example', 'content-type': 'text/plain' }, 'x=1');
    expect([403, 404]).toContain(response.status);
    if (response.status === 403) expect(JSON.parse(response.body)).toMatchObject({ error: 'GH_AUTH_CSRF' });
    // The victim is still signed in: "log out everywhere" did not run.
    expect((await victim.get('/api/me')).status).toBe(200);
  });

  it('other unsafe methods spelled another way are refused too', async () => {
    for (const [method, path] of [['DELETE', '/%61pi/auth/sessions/some-id'], ['PUT', '/%61pi/preferences']] as const) {
      const response = await rawRequest(node.port, method, path, { cookie: victim.cookieHeader(), origin: 'https://evil.example', 'content-type': 'application/json' }, '{}');
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'GH_AUTH_CSRF' });
    }
  });

  it('the same request from our own origin still works', async () => {
    const response = await rawRequest(node.port, 'POST', '/%61pi/auth/logout-everywhere', { cookie: victim.cookieHeader(), origin: node.url, 'content-type': 'application/json' }, '{}');
    expect(response.status).toBe(204);
  });
});
