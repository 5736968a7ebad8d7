// Account mail flows against a real SMTP server started here: verification at sign-up and on email
// change, the forgotten password, export, deletion — on SQLite and on PostgreSQL + Redis. Every link a
// test follows is the one in the message that actually arrived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/index.js';
import { buildConfiguration } from '../../src/oauth/provider/configuration.js';
import { createProviderSessionVersions } from '../../src/oauth/provider/session-credentials.js';
import { createDefaultApiResource } from '../../src/oauth/provider/default-resource.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { chatClient, nextEvent, open } from '../support/realtime.js';
import { linkIn, startTestSmtp, tokenOf, type TestSmtp } from '../support/smtp.js';

/** The `email_verified` claim the OIDC provider's account lookup gives for a user. */
async function emailVerifiedClaim(node: TestNode, userId: string): Promise<unknown> {
  const configuration = buildConfiguration({
    config: node.node.ctx.config,
    apiResource: `${node.url}/api`,
    jwks: { keys: [] },
    alg: 'EdDSA',
    cookieKeys: ['unused-here'],
    adapter: undefined,
    getUser: (id) => node.node.ctx.identity.getUser(id),
    sessionVersions: createProviderSessionVersions(node.node.ctx.kv, 60_000),
    apiDefaults: createDefaultApiResource({ apiResource: `${node.url}/api`, kv: node.node.ctx.kv, grantTtlMs: 60_000 }),
    devicePage: `${node.url}/device`,
  });
  const account = await configuration.findAccount!({} as never, userId);
  const claims = await account!.claims('id_token', 'openid email', {}, []);
  return claims.email_verified;
}

for (const setup of [{ dialect: 'sqlite' as const, redis: false }, { dialect: 'postgres' as const, redis: true }]) {
  describe(`account lifecycle by mail (${setup.dialect}${setup.redis ? ' + redis' : ''})`, () => {
    let smtp: TestSmtp;
    let stack: TestStack;
    let node: TestNode;
    beforeAll(async () => {
      smtp = await startTestSmtp();
      stack = await createTestStack({ ...setup, config: { mail: { smtpUrl: smtp.url, resetPerEmail: 3, resetPerIp: 1000 } } });
      node = await stack.startNode();
    });
    afterAll(async () => {
      await stack?.dispose();
      await smtp?.close();
    });

    const signUp = async (lang: 'en' | 'ko' = 'en') => {
      const who = freshUser('life');
      const browser = new TestClient(node.url, { headers: { cookie: `gh.lang=${lang}` } });
      const created = await browser.post('/api/auth/signup', { email: who.email, password: who.password });
      expect(created.status).toBe(201);
      return { who, browser, id: created.body.user.id as string };
    };
    const sessionLogin = async (email: string, password: string) => {
      const browser = new TestClient(node.url);
      const res = await browser.post('/api/auth/session/login', { email, password });
      return { browser, res };
    };

    it('sign-up mails a verification link (text + HTML, public URL, user language); it verifies once, is stored hashed, and email_verified follows', async () => {
      const { who, id } = await signUp('ko');
      const mail = await smtp.waitFor(who.email, (m) => m.subject.includes('이메일'));
      expect(mail.subject).toBe('이메일 주소를 확인해 주세요');
      const link = linkIn(mail);
      expect(link.origin).toBe(node.url);
      expect(link.pathname).toBe('/verify-email');
      expect(mail.html).toContain(link.toString().replace(/&/g, '&amp;'));

      const { browser } = await sessionLogin(who.email, who.password);
      expect((await browser.get('/api/account/status')).body).toMatchObject({ emailVerifiedAt: null });

      // The table holds the SHA-256 of the token, never the token.
      const db = node.node.ctx.database.db;
      const token = tokenOf(link);
      expect(await db.selectFrom('account_tokens').select('token_hash').where('token_hash', '=', token).executeTakeFirst()).toBeUndefined();
      expect(await db.selectFrom('account_tokens').select('user_id').where('token_hash', '=', sha256(token)).executeTakeFirst()).toEqual({ user_id: id });

      const verified = await new TestClient(node.url).post('/api/auth/email/verify', { token });
      expect(verified.status).toBe(200);
      const status = (await browser.get('/api/account/status')).body;
      expect(status.emailVerifiedVia).toBe('email-link');
      expect(typeof status.emailVerifiedAt).toBe('number');

      // Single use: the same link again is refused.
      const again = await new TestClient(node.url).post('/api/auth/email/verify', { token });
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('GH_AUTH_LINK_INVALID');

      // What an OIDC client is told: the provider's account claims, read from the store.
      expect(await emailVerifiedClaim(node, id)).toBe(true);
      const unverified = await signUp();
      expect(await emailVerifiedClaim(node, unverified.id)).toBe(false);
      const audit = (await browser.get('/api/audit')).body.events.map((e: { type: string }) => e.type);
      expect(audit).toEqual(expect.arrayContaining(['email.verification-sent', 'email.verify']));
    });

    it('resend is rate-limited; a made-up token is refused with a clear code', async () => {
      const { who } = await signUp();
      await smtp.waitFor(who.email);
      const { browser } = await sessionLogin(who.email, who.password);
      const resend = await browser.post('/api/auth/email/resend', {});
      expect(resend.status).toBe(429);
      expect(resend.body.error).toBe('GH_AUTH_MAIL_THROTTLED');
      expect(Number(resend.headers.get('retry-after'))).toBeGreaterThan(0);
      for (const token of ['x'.repeat(43), 'not a token', '']) {
        const res = await new TestClient(node.url).post('/api/auth/email/verify', { token });
        expect(res.status).toBe(400);
      }
    });

    it('forgot password answers the same for unknown and known addresses; the mailed link is single-use and ends every credential of every kind', async () => {
      const { who, id } = await signUp();
      const session = await sessionLogin(who.email, who.password);
      expect(session.res.status).toBe(200);
      const jwtClient = new TestClient(node.url);
      const jwt = await jwtClient.post('/api/auth/jwt/login', { email: who.email, password: who.password });
      expect(jwt.status).toBe(200);
      const socket = chatClient(node.url, { sessionId: session.browser.cookies.get('__Host-gh.sid')! });
      await open(socket);
      const socketGone = nextEvent<string>(socket, 'disconnect');

      const stranger = await new TestClient(node.url).post('/api/auth/password/forgot', { email: `nobody.${Date.now()}@example.test` });
      const known = await new TestClient(node.url).post('/api/auth/password/forgot', { email: who.email.toUpperCase() });
      expect(stranger.status).toBe(202);
      expect(known.status).toBe(202);
      expect(known.body).toEqual(stranger.body);

      const mail = await smtp.waitFor(who.email, (m) => m.subject === 'Reset your password');
      const token = tokenOf(linkIn(mail));
      expect(linkIn(mail).pathname).toBe('/reset-password');
      const newPassword = `${who.password} renewed`;
      const reset = await new TestClient(node.url).post('/api/auth/password/reset', { token, newPassword });
      expect(reset.status).toBe(204);

      // Every credential ended: the session, its socket, the JWT refresh family and its access token.
      expect(await socketGone).toBe('io server disconnect');
      expect((await session.browser.get('/api/me')).status).toBe(401);
      expect((await jwtClient.post('/api/auth/jwt/refresh', {})).status).toBe(401);
      expect((await new TestClient(node.url, { origin: null }).get('/api/me', { authorization: `Bearer ${jwt.body.access_token}` })).status).toBe(401);

      // The link works once; the old password is gone, the new one works; the owner is told by mail.
      expect((await new TestClient(node.url).post('/api/auth/password/reset', { token, newPassword: `${newPassword} again` })).body.error).toBe('GH_AUTH_LINK_INVALID');
      expect((await sessionLogin(who.email, who.password)).res.status).toBe(401);
      expect((await sessionLogin(who.email, newPassword)).res.status).toBe(200);
      await smtp.waitFor(who.email, (m) => m.subject === 'Your password was changed');
      const events = await node.node.ctx.identity.audit.list({ userId: id });
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['password.reset-requested', 'password.reset']));
      // Nothing was mailed to the unknown address.
      expect(smtp.received.some((m) => m.to.some((t) => t.startsWith('nobody.')))).toBe(false);
    });

    it('forgot password is throttled per address (counted for unknown addresses too)', async () => {
      const email = `flood.${Date.now()}@example.test`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await new TestClient(node.url).post('/api/auth/password/forgot', { email })).status);
      expect(statuses).toEqual([202, 202, 202, 429]);
    });

    it('change email takes effect only from the link sent to the new address; export lists profile, sessions and audit; delete ends everything and leaves a tombstone', async () => {
      const { who, id } = await signUp();
      const { browser } = await sessionLogin(who.email, who.password);
      const newEmail = `moved.${Date.now()}@example.test`;
      expect((await browser.post('/api/account/email', { newEmail, currentPassword: 'wrong password here' })).status).toBe(401);
      const asked = await browser.post('/api/account/email', { newEmail, currentPassword: who.password });
      expect(asked.status).toBe(202);
      expect((await browser.get('/api/account/status')).body.email).toBe(who.email);
      const mail = await smtp.waitFor(newEmail);
      const changed = await new TestClient(node.url).post('/api/auth/email/verify', { token: tokenOf(linkIn(mail)) });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ changed: true, user: { email: newEmail } });
      const status = (await browser.get('/api/account/status')).body;
      expect(status).toMatchObject({ email: newEmail, emailVerifiedVia: 'email-link' });

      const exported = await browser.get('/api/account/export');
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-disposition')).toContain('attachment');
      expect(exported.body.profile).toMatchObject({ id, email: newEmail });
      expect(exported.body.sessions.length).toBeGreaterThan(0);
      expect(Array.isArray(exported.body.grants)).toBe(true);
      expect(exported.body.auditEvents.map((e: { type: string }) => e.type)).toContain('email.change');
      expect(JSON.stringify(exported.body)).not.toMatch(/password_hash|\$argon2/);

      const socket = chatClient(node.url, { sessionId: browser.cookies.get('__Host-gh.sid')! });
      await open(socket);
      const gone = nextEvent<string>(socket, 'disconnect');
      expect((await browser.post('/api/account/delete', { currentPassword: 'wrong password here' })).status).toBe(401);
      expect((await browser.post('/api/account/delete', { currentPassword: who.password })).status).toBe(204);
      expect(await gone).toBe('io server disconnect');
      expect((await browser.get('/api/me')).status).toBe(401);
      expect((await sessionLogin(newEmail, who.password)).res.status).toBe(401);
      const db = node.node.ctx.database.db;
      expect(await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
      const left = await db.selectFrom('audit_events').selectAll().where('user_id', '=', id).execute();
      expect(left.map((e) => ({ type: e.type, ip: e.ip, ua: e.user_agent }))).toEqual([{ type: 'account.delete', ip: null, ua: null }]);
      expect(await db.selectFrom('mail_outbox').select('id').where('to_address', '=', newEmail).executeTakeFirst()).toBeUndefined();
      // The address is free again.
      expect((await new TestClient(node.url).post('/api/auth/signup', { email: newEmail, password: who.password })).status).toBe(201);
    });
  });
}
