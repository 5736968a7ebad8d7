// Guessing secrets against a running cluster of two nodes sharing Redis: every secret check (login,
// the current password of a password change, an OAuth client secret) takes its attempt from one shared
// throttle before the secret is verified, so a burst of concurrent guesses cannot outrun it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientManager } from '../../src/oauth/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';

const FREE = 5;

describe('secret guessing is throttled atomically, across nodes', () => {
  let stack: TestStack;
  let a: TestNode;
  let b: TestNode;

  beforeAll(async () => {
    stack = await createTestStack({
      redis: true,
      config: {
        passwords: { memoryCostKiB: 1024, timeCost: 1 },
        cookies: { secure: false },
        // The account scope is under test: every request here comes from 127.0.0.1.
        // Delay gates that outlast the test: with the default 1 s first gate, a loaded machine that
        // spreads a burst over more than a second lets a second gated attempt through, and the bound
        // below would be about the machine's speed rather than the throttle.
        throttle: { accountFreeAttempts: FREE, ipFreeAttempts: 10_000, baseDelayMs: 600_000, maxAccountDelayMs: 600_000 },
      },
    });
    a = await stack.startNode();
    b = await stack.startNode();
  }, 60_000);
  afterAll(() => stack?.dispose());

  const evaluated = (statuses: number[]) => statuses.filter((s) => s !== 429);

  it('30 concurrent wrong logins plus the right one, spread over two nodes: at most free + 1 are evaluated', async () => {
    const user = freshUser('burst');
    expect((await new TestClient(a.url).post('/api/auth/signup', user)).status).toBe(201);
    const guesses = Array.from({ length: 30 }, (_, i) => `wrong guess number ${i}`);
    guesses.splice(17, 0, user.password);
    const statuses = await Promise.all(
      guesses.map((password, i) => new TestClient(i % 2 ? a.url : b.url).post('/api/auth/session/login', { email: user.email, password }).then((r) => r.status)),
    );
    // Before the fix every one of the 31 was checked against the hash (and the right one won).
    expect(evaluated(statuses).length).toBeLessThanOrEqual(FREE + 1);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(31 - (FREE + 1));
    expect(evaluated(statuses).every((s) => s === 401 || s === 200)).toBe(true);
  });

  it('the current password of a password change is throttled like login, and each wrong guess is audited', async () => {
    const user = freshUser('change');
    const browser = new TestClient(a.url);
    expect((await browser.post('/api/auth/signup', user)).status).toBe(201);
    expect((await browser.post('/api/auth/cookie/login', { email: user.email, password: user.password })).status).toBe(200);
    const other = new TestClient(b.url);
    for (const [k, v] of browser.cookies) other.cookies.set(k, v);
    const guesses = Array.from({ length: 31 }, (_, i) => `not my password ${i}`);
    const responses = await Promise.all(
      guesses.map((currentPassword, i) => (i % 2 ? browser : other).post('/api/auth/password', { currentPassword, newPassword: `${user.password} renewed` })),
    );
    const codes = responses.map((r) => r.body.error as string);
    // Before the fix all 31 were verified against the hash, ~16 guesses a second with no end.
    expect(codes.filter((c) => c === 'GH_AUTH_INVALID_CREDENTIALS').length).toBeLessThanOrEqual(FREE + 1);
    expect(codes.filter((c) => c === 'GH_AUTH_THROTTLED').length).toBeGreaterThanOrEqual(31 - (FREE + 1));
    // While the delay runs, even the right current password is not checked.
    const throttled = await browser.post('/api/auth/password', { currentPassword: user.password, newPassword: `${user.password} renewed` });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    const userId = (await browser.get('/api/me')).body.user.id as string;
    const failures = (await a.node.ctx.identity.audit.list({ userId, limit: 100 })).filter((e) => e.type === 'password.change.failure');
    expect(failures.length).toBe(codes.filter((c) => c === 'GH_AUTH_INVALID_CREDENTIALS').length);
    expect(failures.length).toBeGreaterThan(0);
    // The same account counters as login: the guesses above also hold back a login from a new place.
    await expect(b.node.ctx.identity.authenticate({ email: user.email, password: user.password, ip: '203.0.113.77' })).rejects.toMatchObject({ code: 'GH_AUTH_THROTTLED' });
  });

  it('client secrets at the token endpoint are throttled per client, failures audited', async () => {
    const clients = createClientManager({ db: a.node.ctx.database.db, ids: a.node.ctx.ids, clock: a.node.ctx.clock });
    const client = await clients.create({ name: 'Guessed RP', redirectUris: ['https://rp.example/cb'], type: 'confidential' });
    const token = (node: TestNode, secret: string) =>
      fetch(`${node.url}/oidc/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
        },
        body: 'grant_type=authorization_code&code=nothing&redirect_uri=https%3A%2F%2Frp.example%2Fcb&code_verifier=' + 'v'.repeat(43),
      });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => token(i % 2 ? a : b, `guess-${i}`)));
    const statuses = responses.map((r) => r.status);
    expect(evaluated(statuses).length).toBeLessThanOrEqual(FREE + 1);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
    // The right secret is held back too while the delay runs: guessing cannot be outpaced.
    expect((await token(a, client.client_secret!)).status).toBe(429);
    const audited = (await a.node.ctx.identity.audit.list({ limit: 200 })).filter((e) => e.type === 'oauth.client-auth.failure' && e.data.clientId === client.client_id);
    expect(audited.length).toBe(evaluated(statuses).length);
  });
});
