// What a newcomer's browser meets on a node before and after signing in: a who-am-I that is not an
// error when signed out, and pages (not JSON) for addresses that do not exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestNode, type TestStack } from './support/app.js';
import { TestClient, freshUser } from './support/client.js';

describe('first hour on one node', () => {
  let stack: TestStack;
  let node: TestNode;

  beforeAll(async () => {
    stack = await createTestStack();
    node = await stack.startNode();
  }, 60_000);

  afterAll(async () => {
    await stack.dispose();
  });

  it('answers /api/whoami with 200 and me: null when signed out, and the principal once signed in', async () => {
    const client = new TestClient(node.url);
    const anonymous = await client.get('/api/whoami');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ me: null });
    // /api/me keeps its contract: 401 for anonymous callers.
    expect((await client.get('/api/me')).status).toBe(401);
    const who = freshUser('whoami');
    expect((await client.post('/api/auth/signup', who)).status).toBe(201);
    expect((await client.post('/api/auth/session/login', { email: who.email, password: who.password })).status).toBe(200);
    const signedIn = await client.get('/api/whoami');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.me.user.email).toBe(who.email);
    expect(signedIn.body.me.credential.kind).toBe('session');
    expect(signedIn.body.me).toEqual((await client.get('/api/me')).body);
  });

  it('reads a bad bearer token as signed out rather than an error', async () => {
    const response = await new TestClient(node.url).get('/api/whoami', { authorization: 'Bearer not-a-token' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ me: null });
  });

  it.each([
    ['/docs/no-such-page', 'en-US,en;q=0.9', 'Page not found'],
    ['/docs/no-such-page', 'ko-KR,ko;q=0.9', '페이지를 찾을 수 없습니다'],
    ['/api/no-such-route', 'ko', '처음으로'],
  ])('answers a person asking for %s (%s) with an HTML page and a way back', async (path, language, text) => {
    const response = await new TestClient(node.url).get(path, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-language': language });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.body).toContain(text);
    expect(response.body).toContain('<a href="/"');
    expect(response.body).toContain('rel="icon" href="/favicon.svg"');
  });

  it('keeps the coded JSON 404 for programs', async () => {
    const response = await new TestClient(node.url).get('/docs/no-such-page', { accept: 'application/json' });
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('GH_CORE_NOT_FOUND');
    expect((await new TestClient(node.url).get('/api/no-such-route')).body.error).toBe('GH_CORE_NOT_FOUND');
  });

  it('links the favicon from the docs pages, and serves it', async () => {
    const page = await new TestClient(node.url).get('/docs/cookies', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('rel="icon" href="/favicon.svg"');
    const icon = await fetch(`${node.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/svg/);
  });

  it('gives the Swagger UI page the same favicon', async () => {
    const page = await new TestClient(node.url).get('/docs/api/', { accept: 'text/html' });
    expect(page.status).toBe(200);
    const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)"/.exec(String(page.body))?.[1];
    expect(href).toBeDefined();
    expect(String(page.body)).not.toContain('favicon-32x32.png');
    const icon = await fetch(new URL(href!, `${node.url}/docs/api/`));
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/svg/);
    expect(await icon.text()).toBe(await (await fetch(`${node.url}/favicon.svg`)).text());
  });

  it("names each security event's user for an admin, and for no one else", async () => {
    const member = freshUser('audit-member');
    const admin = freshUser('audit-admin');
    await node.node.ctx.identity.signup({ email: admin.email, password: admin.password, roles: ['user', 'admin'] });
    const memberClient = new TestClient(node.url);
    expect((await memberClient.post('/api/auth/signup', member)).status).toBe(201);
    expect((await memberClient.post('/api/auth/session/login', { email: member.email, password: member.password })).status).toBe(200);
    const own = await memberClient.get('/api/audit');
    expect(own.status).toBe(200);
    expect(own.body.events.length).toBeGreaterThan(0);
    for (const event of own.body.events) expect(event).not.toHaveProperty('userEmail');

    const adminClient = new TestClient(node.url);
    expect((await adminClient.post('/api/auth/session/login', { email: admin.email, password: admin.password })).status).toBe(200);
    const everyone = await adminClient.get('/api/audit?limit=500');
    expect(everyone.status).toBe(200);
    const memberId = own.body.events[0].userId;
    const memberRows = everyone.body.events.filter((event: { userId: string | null }) => event.userId === memberId);
    expect(memberRows.length).toBeGreaterThan(0);
    for (const event of memberRows) expect(event.userEmail).toBe(member.email);
    // The owner's address, never a credential: the row carries no password or hash.
    expect(JSON.stringify(everyone.body)).not.toContain(member.password);
    expect(JSON.stringify(everyone.body)).not.toMatch(/argon2|passwordHash/);
  });
});
