// The operator's side: an admin finds and disables a user (every credential and socket ends at once,
// login is refused with GH_AUTH_ACCOUNT_DISABLED, the action is audited with the acting admin), and the
// same actions from the CLI. Written as the attack where it defends something: a disabled user trying
// every credential they still hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfiguration } from '../../src/oauth/provider/configuration.js';
import { createProviderSessionVersions } from '../../src/oauth/provider/session-credentials.js';
import { createDefaultApiResource } from '../../src/oauth/provider/default-resource.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { runCliOrThrow, standaloneEnv } from '../support/cli.js';
import { TestClient, freshUser } from '../support/client.js';
import { chatClient, nextEvent, open } from '../support/realtime.js';

describe('admin console API and CLI', () => {
  let stack: TestStack;
  let node: TestNode;
  let admin: TestClient;
  let adminId: string;
  beforeAll(async () => {
    stack = await createTestStack();
    node = await stack.startNode();
    const who = freshUser('admin');
    const created = await node.node.ctx.identity.signup({ email: who.email, password: who.password, roles: ['user', 'admin'] });
    adminId = created.id;
    admin = new TestClient(node.url);
    expect((await admin.post('/api/auth/session/login', { email: who.email, password: who.password })).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  const victim = async () => {
    const { email, password } = freshUser('target');
    const who = { email, password };
    const signup = await new TestClient(node.url).post('/api/auth/signup', { email: who.email, password: who.password });
    const session = new TestClient(node.url);
    expect((await session.post('/api/auth/session/login', who)).status).toBe(200);
    const cookie = new TestClient(node.url);
    expect((await cookie.post('/api/auth/cookie/login', who)).status).toBe(200);
    const jwt = new TestClient(node.url);
    const tokens = await jwt.post('/api/auth/jwt/login', who);
    expect(tokens.status).toBe(200);
    return { who, id: signup.body.user.id as string, session, cookie, jwt, accessToken: tokens.body.access_token as string };
  };

  it('an admin finds and disables a user: every credential and socket ends, login is refused with a clear code, the action is audited with the admin', async () => {
    const v = await victim();
    const found = await admin.get(`/api/admin/users?q=${encodeURIComponent(v.who.email.slice(0, 20))}`);
    expect(found.status).toBe(200);
    expect(found.body.users.map((u: { id: string }) => u.id)).toContain(v.id);

    const sockets = [chatClient(node.url, { sessionId: v.session.cookies.get('__Host-gh.sid')! }), chatClient(node.url, { token: v.accessToken })];
    for (const s of sockets) await open(s);
    const gone = sockets.map((s) => nextEvent<string>(s, 'disconnect'));

    const disabled = await admin.post(`/api/admin/users/${v.id}/disable`, {});
    expect(disabled.status).toBe(200);
    expect(typeof disabled.body.user.disabledAt).toBe('number');
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);

    // Every credential the user held is dead.
    expect((await v.session.get('/api/me')).status).toBe(401);
    // The sealed cookie is refused by its account state before its (bumped) version is even compared.
    expect((await v.cookie.get('/api/me')).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    expect((await new TestClient(node.url, { origin: null }).get('/api/me', { authorization: `Bearer ${v.accessToken}` })).status).toBe(401);
    expect((await v.jwt.post('/api/auth/jwt/refresh', {})).status).toBe(401);
    // The right password no longer signs in, in any mode, and says why.
    for (const mode of ['session', 'cookie', 'jwt']) {
      const res = await new TestClient(node.url).post(`/api/auth/${mode}/login`, v.who);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    }
    // A wrong password still answers as any wrong password does (the state is told only to the owner).
    expect((await new TestClient(node.url).post('/api/auth/session/login', { email: v.who.email, password: 'not the password at all' })).body.error).toBe('GH_AUTH_INVALID_CREDENTIALS');
    // The OIDC provider no longer knows the account (its browser session cannot mint codes).
    const configuration = buildConfiguration({ config: node.node.ctx.config, apiResource: `${node.url}/api`, jwks: { keys: [] }, alg: 'EdDSA', cookieKeys: ['k'], adapter: undefined, getUser: (id) => node.node.ctx.identity.getUser(id), sessionVersions: createProviderSessionVersions(node.node.ctx.kv, 60_000), apiDefaults: createDefaultApiResource({ apiResource: `${node.url}/api`, kv: node.node.ctx.kv, grantTtlMs: 60_000 }), devicePage: `${node.url}/device` });
    expect(await configuration.findAccount!({} as never, v.id)).toBeUndefined();

    const events = await node.node.ctx.identity.audit.list({ userId: v.id });
    expect(events.find((e) => e.type === 'admin.user.disable')?.data).toMatchObject({ actorId: adminId, via: 'web' });

    expect((await admin.post(`/api/admin/users/${v.id}/enable`, {})).status).toBe(200);
    expect((await new TestClient(node.url).post('/api/auth/session/login', v.who)).status).toBe(200);
  });

  it('a credential that escaped the disable (minted in the race) is refused by the guard with GH_AUTH_ACCOUNT_DISABLED, on HTTP and on the socket handshake', async () => {
    const v = await victim();
    // The attack: the account is disabled in the store while the credential lives on.
    await node.node.ctx.database.db.updateTable('users').set({ disabled_at: Date.now() }).where('id', '=', v.id).execute();
    for (const client of [v.session, v.cookie]) {
      const res = await client.get('/api/me');
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    }
    // A JWT refresh is refused too (access tokens carry their profile and are ended by the deny-list,
    // which disable fills after setting the flag, so none minted before it survives).
    expect((await v.jwt.post('/api/auth/jwt/refresh', {})).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    await expect(open(chatClient(node.url, { sessionId: v.session.cookies.get('__Host-gh.sid')! }))).rejects.toThrow(/disabled/i);
  });

  it('only admins reach the console API; an admin cannot disable or demote themselves', async () => {
    const v = await victim();
    for (const [method, path] of [['GET', '/api/admin/users'], ['POST', `/api/admin/users/${adminId}/disable`], ['GET', '/api/admin/outbox']] as const) {
      const res = await v.session.request(method, path, method === 'POST' ? { json: {} } : {});
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('GH_AUTH_FORBIDDEN');
    }
    expect((await admin.post(`/api/admin/users/${adminId}/disable`, {})).body.error).toBe('GH_AUTH_SELF_ADMIN_ACTION');
    expect((await admin.request('PUT', `/api/admin/users/${adminId}/admin`, { json: { admin: false } })).body.error).toBe('GH_AUTH_SELF_ADMIN_ACTION');

    // Granting admin works, is audited, and the new admin reaches the console; revoking ends their credentials.
    const granted = await admin.request('PUT', `/api/admin/users/${v.id}/admin`, { json: { admin: true } });
    expect(granted.body.user.roles).toContain('admin');
    expect((await v.session.get('/api/admin/users')).status).toBe(200);
    await admin.request('PUT', `/api/admin/users/${v.id}/admin`, { json: { admin: false } });
    expect((await v.session.get('/api/admin/users')).status).toBe(401);
    const types = (await node.node.ctx.identity.audit.list({ userId: v.id })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['admin.role.grant', 'admin.role.revoke']));

    // Force logout everywhere.
    const w = await victim();
    expect((await admin.post(`/api/admin/users/${w.id}/logout`, {})).status).toBe(200);
    expect((await w.session.get('/api/me')).status).toBe(401);
  });

  it('OAuth clients: create, rotate the secret, delete — each audited with the admin', async () => {
    const created = await admin.post('/api/oauth/clients', { name: 'Console app', redirect_uris: ['http://127.0.0.1:9/cb'], type: 'confidential' });
    expect(created.status).toBe(201);
    const rotated = await admin.post(`/api/oauth/clients/${created.body.client_id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.client_secret).not.toBe(created.body.client_secret);
    // The old secret no longer authenticates the client at the token endpoint; the new one does.
    const tokenWith = (secret: string) =>
      fetch(`${node.url}/oidc/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${created.body.client_id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    expect((await tokenWith(created.body.client_secret)).status).toBe(401);
    expect((await tokenWith(rotated.body.client_secret)).status).not.toBe(401);
    expect((await admin.delete(`/api/oauth/clients/${created.body.client_id}`)).status).toBe(204);
    const types = (await node.node.ctx.identity.audit.list({ userId: adminId })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['admin.client.create', 'admin.client.rotate-secret', 'admin.client.delete']));
  });

  it('the outbox keeps mail when no SMTP server is configured; admins read it, and `gatehouse mail list` prints it', async () => {
    const who = freshUser('outbox');
    expect((await new TestClient(node.url).post('/api/auth/signup', { email: who.email, password: who.password })).status).toBe(201);
    const outbox = await admin.get(`/api/admin/outbox?to=${encodeURIComponent(who.email)}`);
    expect(outbox.body.delivery).toBe('outbox');
    expect(outbox.body.messages).toHaveLength(1);
    expect(outbox.body.messages[0]).toMatchObject({ kind: 'verify-email', subject: 'Confirm your email address' });
    const link = /https?:\/\/\S+#token=\S+/.exec(outbox.body.messages[0].text)![0];
    const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token');
    expect((await new TestClient(node.url).post('/api/auth/email/verify', { token })).status).toBe(200);

    const printed = await cli(['mail', 'list', '--to', who.email, '--json']);
    expect(JSON.parse(printed)[0]).toMatchObject({ to: who.email, kind: 'verify-email' });
  });

  it('the CLI lists, disables, enables and logs out users (audited as via: cli)', async () => {
    const v = await victim();
    const listed = JSON.parse(await cli(['user', 'list', '--search', v.who.email, '--json'])) as { id: string }[];
    expect(listed.map((u) => u.id)).toEqual([v.id]);
    await cli(['user', 'disable', v.who.email]);
    expect((await v.session.get('/api/me')).status).toBe(401);
    expect((await new TestClient(node.url).post('/api/auth/session/login', v.who)).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    await cli(['user', 'enable', v.id]);
    const again = new TestClient(node.url);
    expect((await again.post('/api/auth/session/login', v.who)).status).toBe(200);
    await cli(['user', 'logout', v.who.email]);
    expect((await again.get('/api/me')).status).toBe(401);
    const events = await node.node.ctx.identity.audit.list({ userId: v.id });
    expect(events.find((e) => e.type === 'admin.user.disable')?.data).toMatchObject({ actorId: null, via: 'cli' });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['admin.user.enable', 'admin.user.logout']));
  }, 300_000);

  it('the CLI lists, rotates the secret of, and deletes OAuth clients', async () => {
    const created = await admin.post('/api/oauth/clients', { name: 'CLI app', redirect_uris: ['http://127.0.0.1:9/cb'], type: 'confidential' });
    expect((JSON.parse(await cli(['client', 'list', '--json'])) as { client_id: string }[]).map((c) => c.client_id)).toContain(created.body.client_id);
    const rotated = JSON.parse(await cli(['client', 'rotate-secret', created.body.client_id, '--json'])) as { client_secret: string };
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(rotated.client_secret).not.toBe(created.body.client_secret);
    await cli(['client', 'delete', created.body.client_id]);
    expect((await admin.get('/api/oauth/clients')).body.clients.map((c: { client_id: string }) => c.client_id)).not.toContain(created.body.client_id);
  }, 300_000);

  async function cli(args: string[]): Promise<string> {
    const { stdout } = await runCliOrThrow([...args, '--data-dir', stack.dataDir], {
      env: standaloneEnv({ GATEHOUSE_SECRET: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz' }),
    });
    return stdout;
  }
});
