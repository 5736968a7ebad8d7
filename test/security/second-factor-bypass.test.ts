// Attacks on the second factor, per login mode, across two real nodes on real stores: the password
// alone must never yield a credential; the "second factor pending" ticket is no credential anywhere;
// a TOTP code works once; the ticket works once, for its own mode only.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/core/index.js';
import { totpCode } from '../../src/identity/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient } from '../support/client.js';
import { Browser, startFederationPair, type FederationPair } from './federation-support.js';
import { BACKENDS, SEALED, SID, bearer, signUp, type Person } from './support.js';

vi.setConfig({ testTimeout: 180_000 });

const MODES = ['cookie', 'session', 'jwt'] as const;
type Mode = (typeof MODES)[number];

describe.each(BACKENDS)('the second factor cannot be skipped ($label)', (backend) => {
  const clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 5));
  let stack: TestStack;
  let a: TestNode;
  let b: TestNode;
  let who: Person;
  let secret: string;
  /** A fresh time-step: each code the tests use is a new one, so only replay tests see a reused code. */
  const nextCode = () => {
    clock.advance(30_000);
    return totpCode(secret, clock.now());
  };
  const passwordStep = (node: TestNode, mode: Mode, client = new TestClient(node.url, { origin: a.url })) =>
    client.post(`/api/auth/${mode}/login`, { email: who.email, password: who.password, ...(mode === 'jwt' ? { refresh_token_in_body: true } : {}) });

  beforeAll(async () => {
    stack = await createTestStack({ dialect: backend.dialect, redis: backend.redis, clock, config: { passwords: { memoryCostKiB: 1024, timeCost: 1 } } });
    a = await stack.startNode();
    b = await stack.startNode({ server: { publicUrl: a.url } });
    who = await signUp(a, 'mfa-bypass');
    const browser = new TestClient(a.url);
    expect((await browser.post('/api/auth/session/login', { email: who.email, password: who.password })).status).toBe(200);
    const started = await browser.post('/api/account/factors/totp', {});
    expect(started.status).toBe(200);
    expect(started.body.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    secret = started.body.secret;
    const confirmed = await browser.post('/api/account/factors/totp/confirm', { code: totpCode(secret, clock.now()) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
  }, 120_000);
  afterAll(() => stack?.dispose());

  it.each(MODES)('%s mode: the password step sets no cookie and returns no token, only a ticket', async (mode) => {
    const client = new TestClient(a.url);
    const res = await passwordStep(a, mode, client);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ secondFactorRequired: true, ticket: expect.any(String), methods: ['totp', 'recovery'] });
    expect(res.body.access_token).toBeUndefined();
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.headers.get('set-cookie')).toBeNull();
    // Skipping the second step: the client has nothing that opens any route.
    expect((await client.get('/api/me')).status).toBe(401);
  });

  it.each(MODES)('%s mode: the ticket is no credential to the guard, nor on any guarded route, however it is sent', async (mode) => {
    const { ticket } = (await passwordStep(a, mode)).body as { ticket: string };
    const carriers: Record<string, string>[] = [bearer(ticket), { cookie: `${SID}=${ticket}` }, { cookie: `${SEALED}=${ticket}` }];
    // The guard itself (HTTP routes and socket handshakes alike) turns none of them into a principal.
    for (const headers of carriers) {
      const cookies = Object.fromEntries((headers.cookie ?? '').split('; ').filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
      const principal = await b.node.ctx
        .authenticate({ method: 'GET', url: `${a.url}/api/me`, cookies, authorization: headers.authorization, headers: {}, ip: '127.0.0.1' })
        .catch(() => null);
      expect(principal).toBeNull();
    }
    const routes = b.node.hooks.routes.filter((r) => r.required && !r.url.includes(':'));
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      for (const headers of carriers) {
        const res = await new TestClient(b.url, { origin: a.url }).request(route.method, route.url, { headers, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { json: {} }) });
        // 400: the body was refused before the guard ran, so no handler ran either.
        const refused = res.status === 401 || res.status === 403 || (res.status === 400 && res.body.error === 'GH_CORE_VALIDATION');
        expect(refused, `${route.method} ${route.url} with ${Object.keys(headers)[0]}: ${res.status}`).toBe(true);
      }
    }
  });

  it.each(MODES)('%s mode: a wrong code gives nothing; the right one, on the other node, gives the credential once', async (mode) => {
    const { ticket } = (await passwordStep(a, mode)).body as { ticket: string };
    const wrong = await new TestClient(b.url, { origin: a.url }).post(`/api/auth/${mode}/login/second-factor`, { ticket, code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('GH_MFA_CODE_INVALID');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const client = new TestClient(b.url, { origin: a.url });
    const code = nextCode();
    const ok = await client.post(`/api/auth/${mode}/login/second-factor`, { ticket, code, ...(mode === 'jwt' ? { refresh_token_in_body: true } : {}) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const me = mode === 'jwt' ? await client.get('/api/me', bearer(ok.body.access_token)) : await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(who.id);
    // The ticket is spent: a second exchange (even with a fresh code) is refused.
    const again = await new TestClient(a.url).post(`/api/auth/${mode}/login/second-factor`, { ticket, code: nextCode() });
    expect(again.body.error).toBe('GH_MFA_TICKET_INVALID');
  });

  it.each(MODES)('%s mode: a TOTP code already used is refused with a new ticket (replay)', async (mode) => {
    const code = nextCode();
    const first = (await passwordStep(a, mode)).body as { ticket: string };
    expect((await new TestClient(a.url).post(`/api/auth/${mode}/login/second-factor`, { ticket: first.ticket, code })).status).toBe(200);
    const second = (await passwordStep(b, mode)).body as { ticket: string };
    const replay = await new TestClient(b.url, { origin: a.url }).post(`/api/auth/${mode}/login/second-factor`, { ticket: second.ticket, code });
    expect(replay.status, JSON.stringify([second, replay.body])).toBe(401);
    expect(replay.body.error).toBe('GH_MFA_CODE_INVALID');
  });

  it('a ticket of one mode is refused by every other mode', async () => {
    for (const mode of MODES) {
      const { ticket } = (await passwordStep(a, mode)).body as { ticket: string };
      for (const other of MODES.filter((m) => m !== mode)) {
        const res = await new TestClient(a.url).post(`/api/auth/${other}/login/second-factor`, { ticket, code: nextCode() });
        expect(res.body.error, `${mode} ticket at ${other}`).toBe('GH_MFA_TICKET_INVALID');
      }
    }
  });

  it('a ticket dies with a password change made meanwhile', async () => {
    const { ticket } = (await passwordStep(a, 'session')).body as { ticket: string };
    // The owner, signed in, changes the password (a fresh sign-in: step-up is satisfied).
    const owner = new TestClient(a.url);
    const { ticket: ownTicket } = (await passwordStep(a, 'session', owner)).body as { ticket: string };
    expect((await owner.post('/api/auth/session/login/second-factor', { ticket: ownTicket, code: nextCode() })).status).toBe(200);
    const newPassword = `${who.password}-and-more`;
    expect((await owner.post('/api/auth/password', { currentPassword: who.password, newPassword })).status).toBe(204);
    who = { ...who, password: newPassword };
    const res = await new TestClient(a.url).post('/api/auth/session/login/second-factor', { ticket, code: nextCode() });
    expect(res.body.error).toBe('GH_MFA_TICKET_INVALID');
  });
});

describe('signing in through another provider still asks for the second factor', () => {
  let pair: FederationPair;
  beforeAll(async () => {
    pair = await startFederationPair('sqlite');
    await pair.addProvider('trusted', { trustEmail: true });
  }, 120_000);
  afterAll(() => pair?.close());

  it('the callback sets no session; the ticket it hands the login page needs the code', async () => {
    const email = 'two-step@example.com';
    const user = await pair.a.gh.ctx.identity.signup({ email, password: 'a password at A 123', emailVerifiedVia: 'email-link' });
    const { secret } = await pair.a.gh.ctx.identity.factors.startTotp(user, 'gatehouse');
    const { recoveryCodes } = await pair.a.gh.ctx.identity.factors.confirmTotp({ user, code: totpCode(secret, pair.a.gh.ctx.clock.now()), ip: '127.0.0.1' });
    await pair.verifiedAtB(email, 'a password at B 123');
    const browser = new Browser();
    const answer = await pair.signInThroughB(browser, 'trusted', email, 'a password at B 123');
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location')!, pair.a.origin);
    expect(location.pathname).toBe('/login');
    const ticket = new URLSearchParams(location.hash.slice(1)).get('second-factor');
    expect(ticket).toEqual(expect.any(String));
    expect((await pair.me(browser)).status).toBe(401);
    // The ticket is no session cookie either.
    expect((await fetch(`${pair.a.origin}/api/me`, { headers: { cookie: `${SID}=${ticket}` } })).status).toBe(401);
    const done = await browser.request(`${pair.a.origin}/api/auth/session/login/second-factor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: pair.a.origin },
      body: JSON.stringify({ ticket, code: recoveryCodes[0] }),
    });
    expect(done.status).toBe(200);
    expect(await pair.me(browser)).toMatchObject({ status: 200, email });
  });
});
