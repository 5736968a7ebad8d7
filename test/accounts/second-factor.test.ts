// Two-step verification on a real node: the OAuth provider's login asks for the code and the ID token
// says so (amr, acr); a client asking for MFA gets it or nothing; sensitive changes need a recent
// authentication with the second factor; a recovery code works once; turning TOTP on ends the
// password-only sign-ins; an operator's reset is audited and mailed. Only the clock is mocked.
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/core/index.js';
import { totpCode } from '../../src/identity/index.js';
import { ACR_MFA, ACR_PASSWORD } from '../../src/oauth/index.js';
import { Browser } from '../oauth/support.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { REDIRECT, registerClient, tokenEndpoint, type ThirdPartyClient } from '../security/support.js';

vi.setConfig({ testTimeout: 120_000 });

interface Enrolled {
  id: string;
  email: string;
  password: string;
  secret: string;
  recoveryCodes: string[];
  /** A session-mode browser signed in with both factors. */
  browser: TestClient;
}

describe('two-step verification', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 1, 9, 0, 5));
  let stack: TestStack;
  let node: TestNode;
  let client: ThirdPartyClient;
  const code = (secret: string) => {
    clock.advance(30_000);
    return totpCode(secret, clock.now());
  };

  const signUp = async (label: string) => {
    const who = freshUser(label);
    const res = await new TestClient(node.url).post('/api/auth/signup', who);
    expect(res.status).toBe(201);
    return { id: res.body.user.id as string, email: who.email, password: who.password };
  };
  const enrol = async (label: string): Promise<Enrolled> => {
    const who = await signUp(label);
    const browser = new TestClient(node.url);
    expect((await browser.post('/api/auth/session/login', { email: who.email, password: who.password })).status).toBe(200);
    const { secret } = (await browser.post('/api/account/factors/totp', {})).body as { secret: string };
    const confirmed = await browser.post('/api/account/factors/totp/confirm', { code: code(secret) });
    expect(confirmed.status).toBe(200);
    return { ...who, secret, recoveryCodes: confirmed.body.recoveryCodes, browser };
  };
  const sessionSignIn = async (who: { email: string; password: string }, second: string) => {
    const browser = new TestClient(node.url);
    const step = await browser.post('/api/auth/session/login', { email: who.email, password: who.password });
    expect(step.body.secondFactorRequired).toBe(true);
    const done = await browser.post('/api/auth/session/login/second-factor', { ticket: step.body.ticket, code: second });
    return { browser, done };
  };

  /** The code flow in a browser, with the second-factor page when one comes; returns the ID token's claims. */
  const authorize = async (who: { email: string; password: string }, secondFactor: (() => string) | null, extra: Record<string, string> = {}, sessionCookie?: string) => {
    const browser = new Browser();
    // A browser already signed in to gatehouse (session mode) carries its session cookie.
    if (sessionCookie) browser.jar.store(new URL(node.url), new Response(null, { headers: { 'set-cookie': `__Host-gh.sid=${sessionCookie}; Path=/` } }));
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL('/oidc/auth', node.url);
    const params = {
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'st',
      nonce: 'n1',
      ...extra,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    let { response, url: at } = await browser.follow(url, node.url);
    const pages: string[] = [];
    for (let step = 0; step < 5 && at.origin === node.url; step++) {
      const html = await response.text();
      pages.push(html);
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!csrf || !action) return { pages, claims: null, status: response.status };
      const target = new URL(action.replace(/&amp;/g, '&'), at);
      let fields: [string, string][];
      if (/name="password"/.test(html)) fields = [['csrf', csrf], ['email', who.email], ['password', who.password]];
      else if (/name="code"/.test(html)) {
        if (!secondFactor) return { pages, claims: null, status: response.status };
        fields = [['csrf', csrf], ['ticket', /name="ticket" value="([^"]+)"/.exec(html)![1]!], ['code', secondFactor()]];
      } else fields = [['csrf', csrf], ['scope', 'openid']];
      ({ response, url: at } = await browser.submit(target, fields, node.url));
    }
    const authCode = at.searchParams.get('code');
    if (!authCode) return { pages, claims: null, status: response.status };
    const tokens = await tokenEndpoint(node, client, { grant_type: 'authorization_code', code: authCode, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    return { pages, claims: decodeJwt(tokens.body.id_token!), status: 200 };
  };

  beforeAll(async () => {
    stack = await createTestStack({ clock, config: { passwords: { memoryCostKiB: 1024, timeCost: 1 } } });
    node = await stack.startNode();
    client = await registerClient(node, 'Second Factor RP');
  }, 60_000);
  afterAll(() => stack?.dispose());

  it('discovery lists the acr values', async () => {
    const discovery = (await (await fetch(`${node.url}/oidc/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.acr_values_supported).toEqual([ACR_PASSWORD, ACR_MFA]);
  });

  it('the provider asks for the code after the password; the ID token carries amr pwd+otp and the MFA acr', async () => {
    const who = await enrol('oidc-mfa');
    const wrongThenRight = ['000000', code(who.secret)];
    const result = await authorize(who, () => wrongThenRight.shift()!);
    expect(result.pages.some((p) => /name="code"/.test(p) && /name="ticket"/.test(p))).toBe(true);
    // The wrong code brought the second-factor page back with the error, not a code for the client.
    expect(result.pages.some((p) => p.includes('The code is not valid'))).toBe(true);
    expect(result.claims).toMatchObject({ sub: who.id, amr: ['pwd', 'otp'], acr: ACR_MFA });
  });

  it('without the code, no authorization code reaches the client', async () => {
    const who = await enrol('oidc-no-code');
    const result = await authorize(who, null);
    expect(result.claims).toBeNull();
    expect(result.pages.at(-1)).toMatch(/name="code"/);
  });

  it('a password-only account gets amr pwd; a client asking for MFA gets a clear refusal instead', async () => {
    const who = await signUp('oidc-pwd');
    expect((await authorize(who, null)).claims).toMatchObject({ amr: ['pwd'], acr: ACR_PASSWORD });
    const forced = await authorize(who, null, { acr_values: ACR_MFA });
    expect(forced.claims).toBeNull();
    expect(forced.status).toBe(403);
    expect(forced.pages.at(-1)).toContain('This application requires a second factor');
  });

  it('turning TOTP on ends the sign-ins made with the password alone, and keeps the one that turned it on', async () => {
    const who = await signUp('enrol-ends');
    const other = new TestClient(node.url);
    expect((await other.post('/api/auth/cookie/login', { email: who.email, password: who.password })).status).toBe(200);
    const browser = new TestClient(node.url);
    expect((await browser.post('/api/auth/cookie/login', { email: who.email, password: who.password })).status).toBe(200);
    const { secret } = (await browser.post('/api/account/factors/totp', {})).body as { secret: string };
    expect((await browser.post('/api/account/factors/totp/confirm', { code: code(secret) })).status).toBe(200);
    expect((await other.get('/api/me')).status).toBe(401);
    expect((await browser.get('/api/me')).status).toBe(200);
    expect((await browser.get('/api/account/factors')).body).toEqual({ totp: true, totpPending: false, recoveryCodesLeft: 10, passkeys: 0 });
  });

  it('a recovery code signs in once, and not twice', async () => {
    const who = await enrol('recovery');
    const [first] = who.recoveryCodes;
    const once = await sessionSignIn(who, first!);
    expect(once.done.status).toBe(200);
    expect((await once.browser.get('/api/me')).status).toBe(200);
    const twice = await sessionSignIn(who, first!);
    expect(twice.done.status).toBe(401);
    expect(twice.done.body.error).toBe('GH_MFA_CODE_INVALID');
    expect((await once.browser.get('/api/account/factors')).body.recoveryCodesLeft).toBe(9);
    const audit = (await once.browser.get('/api/audit')).body.events.map((e: { type: string }) => e.type);
    expect(audit).toContain('mfa.recovery-code.used');
  });

  it('changing the password, email or factors and deleting the account need a recent authentication with the second factor', async () => {
    const who = await enrol('step-up');
    const { browser } = who;
    clock.advance(6 * 60_000);
    const attempts = [
      await browser.post('/api/auth/password', { currentPassword: who.password, newPassword: 'a-much-newer-passphrase-7' }),
      await browser.post('/api/account/email', { newEmail: `new-${who.email}`, currentPassword: who.password }),
      await browser.post('/api/account/delete', { currentPassword: who.password }),
      await browser.post('/api/account/factors/recovery-codes', {}),
      await browser.request('DELETE', '/api/account/factors/totp'),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'GH_AUTH_REAUTH_REQUIRED', reauthenticate: '/api/auth/reauth', secondFactor: true });
    }
    // The password alone does not step up an account with a second factor.
    const passwordOnly = await browser.post('/api/auth/reauth', { password: who.password });
    expect(passwordOnly.body.error).toBe('GH_MFA_CODE_INVALID');
    expect((await browser.post('/api/auth/reauth', { password: 'wrong-password-here', code: code(who.secret) })).body.error).toBe('GH_AUTH_INVALID_CREDENTIALS');
    expect((await browser.post('/api/auth/reauth', { password: who.password, code: code(who.secret) })).status).toBe(200);
    expect((await browser.post('/api/auth/password', { currentPassword: who.password, newPassword: 'a-much-newer-passphrase-7' })).status).toBe(204);
    // Five minutes later it is needed again.
    clock.advance(5 * 60_000 + 1);
    expect((await browser.request('DELETE', '/api/account/factors/totp')).body.error).toBe('GH_AUTH_REAUTH_REQUIRED');
    expect((await browser.post('/api/auth/reauth', { password: 'a-much-newer-passphrase-7', code: code(who.secret) })).status).toBe(200);
    expect((await browser.request('DELETE', '/api/account/factors/totp')).status).toBe(204);
    // Off: the password alone signs in again.
    const plain = await new TestClient(node.url).post('/api/auth/session/login', { email: who.email, password: 'a-much-newer-passphrase-7' });
    expect(plain.body.user.id).toBe(who.id);
  });

  it('an operator resets lost factors: audited with the operator, mailed to the user, every sign-in ended', async () => {
    const who = await enrol('lost-phone');
    const op = freshUser('operator');
    await node.node.ctx.identity.signup({ email: op.email, password: op.password, roles: ['user', 'admin'] });
    const admin = new TestClient(node.url);
    expect((await admin.post('/api/auth/session/login', { email: op.email, password: op.password })).status).toBe(200);
    // Not by the user's own request, nor by email: only an admin's signed-in, recently proven session.
    expect((await who.browser.post(`/api/admin/users/${who.id}/factors/reset`, {})).status).toBe(403);
    const reset = await admin.post(`/api/admin/users/${who.id}/factors/reset`, {});
    expect(reset.status).toBe(200);
    expect((await who.browser.get('/api/me')).status).toBe(401);
    const events = await node.node.ctx.identity.audit.list({ userId: who.id });
    const event = events.find((e) => e.type === 'admin.user.factors-reset');
    expect(event?.data).toMatchObject({ via: 'web', actorId: expect.any(String) });
    await node.node.ctx.accounts.idle();
    const mail = await node.node.ctx.database.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', who.email).where('kind', '=', 'second-factor-reset').execute();
    expect(mail).toHaveLength(1);
    const plain = await new TestClient(node.url).post('/api/auth/session/login', { email: who.email, password: who.password });
    expect(plain.body.user.id).toBe(who.id);
  });

  it('a gatehouse web sign-in approves an application with the methods it was proven with', async () => {
    const who = await enrol('web-sign-in');
    const viaWeb = await authorize(who, null, { acr_values: ACR_MFA }, who.browser.cookies.get('__Host-gh.sid'));
    // No password page: the session's own sign-in had both factors, and says so.
    expect(viaWeb.pages.some((p) => /name="password"/.test(p))).toBe(false);
    expect(viaWeb.claims).toMatchObject({ sub: who.id, amr: ['pwd', 'otp'], acr: ACR_MFA });
    // A password-only sign-in does not satisfy a client asking for MFA: the login page comes back.
    const plain = await signUp('web-password-only');
    const browser = new TestClient(node.url);
    expect((await browser.post('/api/auth/session/login', { email: plain.email, password: plain.password })).status).toBe(200);
    const forced = await authorize(plain, null, { acr_values: ACR_MFA }, browser.cookies.get('__Host-gh.sid'));
    expect(forced.claims).toBeNull();
    expect(forced.pages[0]).toMatch(/name="password"/);
  });
});
