// The browser reads the server's own response schemas and chat contract (src/core/api-shapes.ts,
// src/core/chat-events.ts). Two ways they could still part: a route describes its answer with a
// schema of its own instead of the shared one, or the server sends something its schema does not
// say. The first shows in /openapi.json, the second in what a real node answers; both are checked here,
// and Socket.IO events (which no serializer shapes) are checked as they arrive.
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountStatus,
  AdminUserDetail,
  AdminUserView,
  BackendView,
  ClusterBackends,
  ClusterNode,
  AuditEventView,
  ChatMessage,
  FactorStatus,
  NodeStats,
  OauthClientView,
  OutboxMessageView,
  Preferences,
  Presence,
  PrincipalView,
  ProviderAdminView,
  RecoveryCodes,
  SecondFactorRequired,
  SessionView,
  TokenResponse,
  TotpEnrolment,
  UserView,
  WhoamiAnswer,
  SignupAnswer,
  EmailVerified,
  SessionList,
  OthersRevoked,
  AuditEventList,
  AppList,
  GrantList,
  PasskeyList,
  PasskeyCeremony,
  ProviderList,
  ProviderAdminList,
  LinkList,
  LinkStart,
  AdminUserList,
  AdminUserAnswer,
  Outbox,
  OauthClientList,
  ClientSecretRotated,
  CounterHistory,
  ClusterNodeList,
} from '../src/core/index.js';
import { startBalancer } from '../src/balancer/index.js';
import { createTestStack, type TestNode, type TestStack } from './support/app.js';
import { TestClient, freshUser } from './support/client.js';
import { nextEvent, request } from './support/realtime.js';

/** A schema as /openapi.json carries it: TypeBox's symbols dropped, a `const` written as a one-value
 *  `enum`, a record's any-key pattern as `additionalProperties` (what @fastify/swagger does to them). */
const json = (schema: TSchema): unknown =>
  JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null) return value;
    if ('const' in value) {
      const { const: only, ...rest } = value;
      return { ...rest, enum: [only] };
    }
    const anyKey = (value as { patternProperties?: Record<string, unknown> }).patternProperties?.['^(.*)$'];
    if (anyKey !== undefined) {
      const { patternProperties: _pattern, ...rest } = value as { patternProperties: unknown };
      return { ...rest, additionalProperties: anyKey };
    }
    return value;
  });

function expectShape(schema: TSchema, value: unknown): void {
  const errors = [...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`);
  expect(errors).toEqual([]);
}

describe('shapes the browser shares with the server', () => {
  let stack: TestStack;
  let node: TestNode;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await createTestStack({ config: { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false } } });
    node = await stack.startNode();
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await stack?.dispose();
  });

  it('every route the web app reads describes its answer with the shared schema', async () => {
    const spec = (await new TestClient(node.url).get('/openapi.json')).body;
    const answer = (path: string, method: string, status = '200') => spec.paths[path][method].responses[status].content['application/json'].schema;
    expect(answer('/api/me', 'get')).toEqual(json(PrincipalView));
    expect(answer('/api/whoami', 'get')).toEqual(json(WhoamiAnswer));
    expect(answer('/api/auth/signup', 'post', '201')).toEqual(json(SignupAnswer));
    expect(answer('/api/auth/sessions', 'get')).toEqual(json(SessionList));
    expect(answer('/api/auth/sessions/revoke-others', 'post')).toEqual(json(OthersRevoked));
    expect(answer('/api/auth/email/verify', 'post')).toEqual(json(EmailVerified));
    expect(answer('/api/auth/session/login', 'post').anyOf).toEqual([
      expect.objectContaining({ properties: { user: json(UserView), session: json(SessionView) } }),
      json(SecondFactorRequired),
    ]);
    expect(answer('/api/auth/jwt/login', 'post').anyOf).toEqual([json(TokenResponse), json(SecondFactorRequired)]);
    expect(answer('/api/audit', 'get')).toEqual(json(AuditEventList));
    expect(answer('/api/oauth/apps', 'get')).toEqual(json(AppList));
    expect(answer('/api/oauth/grants', 'get')).toEqual(json(GrantList));
    expect(answer('/api/account/factors', 'get')).toEqual(json(FactorStatus));
    expect(answer('/api/account/factors/totp', 'post')).toEqual(json(TotpEnrolment));
    expect(answer('/api/account/factors/totp/confirm', 'post')).toEqual(json(RecoveryCodes));
    expect(answer('/api/account/factors/recovery-codes', 'post')).toEqual(json(RecoveryCodes));
    expect(answer('/api/account/passkeys', 'get')).toEqual(json(PasskeyList));
    for (const path of ['/api/auth/passkey/options', '/api/account/passkeys/options']) expect(answer(path, 'post')).toEqual(json(PasskeyCeremony));
    expect(answer('/api/account/status', 'get')).toEqual(json(AccountStatus));
    expect(answer('/api/preferences', 'get')).toEqual(json(Preferences));
    expect(answer('/api/auth/federation/providers', 'get')).toEqual(json(ProviderList));
    expect(answer('/api/auth/federation/{provider}/link', 'post')).toEqual(json(LinkStart));
    expect(answer('/api/auth/federation/links', 'get')).toEqual(json(LinkList));
    // The admin console and the dashboard read these.
    expect(answer('/api/admin/users', 'get')).toEqual(json(AdminUserList));
    expect(answer('/api/admin/users/{id}', 'get')).toEqual(json(AdminUserDetail));
    for (const action of ['disable', 'enable', 'factors/reset']) expect(answer(`/api/admin/users/{id}/${action}`, 'post')).toEqual(json(AdminUserAnswer));
    expect(answer('/api/admin/users/{id}/admin', 'put')).toEqual(json(AdminUserAnswer));
    expect(answer('/api/admin/outbox', 'get')).toEqual(json(Outbox));
    expect(answer('/api/oauth/clients', 'get')).toEqual(json(OauthClientList));
    expect(answer('/api/oauth/clients/{id}/rotate-secret', 'post')).toEqual(json(ClientSecretRotated));
    expect(answer('/api/oauth/clients', 'post', '201')).toEqual(json(OauthClientView));
    expect(answer('/api/auth/federation/admin/providers', 'get')).toEqual(json(ProviderAdminList));
    expect(answer('/api/auth/federation/providers', 'post', '201')).toEqual(json(ProviderAdminView));
    expect(answer('/api/cluster/history', 'get')).toEqual(json(CounterHistory));
    expect(answer('/api/cluster/backends', 'get')).toEqual(json(ClusterBackends));
    expect(answer('/api/cluster/nodes', 'get')).toEqual(json(ClusterNodeList));
    expect(answer('/api/node/stats', 'get')).toEqual(json(NodeStats));
  });

  it("what the dashboard relays matches the shared schemas: the balancer admin API's own answer and a node's stats", async () => {
    // The balancer is its own process with its own JSON (no TypeBox serializer shapes it), so its answer is checked as sent.
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', backends: [`127.0.0.1:${node.port},id=node-a`] });
    try {
      const admin = `http://127.0.0.1:${lb.adminPort!}`;
      const pool = (await (await fetch(`${admin}/backends`)).json()) as { algorithm: unknown; backends: unknown[] };
      const { available } = (await (await fetch(`${admin}/algorithm`)).json()) as { available: unknown };
      expect(pool.backends).toHaveLength(1);
      expectShape(ClusterBackends, { algorithm: pool.algorithm, available, backends: pool.backends });
      for (const backend of pool.backends) expectShape(BackendView, backend);
    } finally {
      await lb.close();
    }
    const stats = await new TestClient(node.url).get('/api/node/stats');
    expect(stats.status).toBe(200);
    expectShape(NodeStats, stats.body);
    expectShape(ClusterNode, { ...stats.body, url: node.url, reachable: true });
  });

  it("a real node's admin answers match the shared schemas", async () => {
    const who = freshUser('shapes-admin');
    const created = await node.node.ctx.identity.signup({ email: who.email, password: who.password, roles: ['user', 'admin'] });
    const admin = new TestClient(node.url);
    expect((await admin.post('/api/auth/session/login', { email: who.email, password: who.password })).status).toBe(200);
    const other = freshUser('shapes-user');
    expect((await new TestClient(node.url).post('/api/auth/signup', other)).status).toBe(201);

    const users = (await admin.get('/api/admin/users')).body.users as unknown[];
    expect(users.length).toBeGreaterThanOrEqual(2);
    for (const user of users) expectShape(AdminUserView, user);
    expectShape(AdminUserDetail, (await admin.get(`/api/admin/users/${created.id}`)).body);
    const outbox = (await admin.get('/api/admin/outbox')).body.messages as unknown[];
    expect(outbox.length).toBeGreaterThan(0);
    for (const message of outbox) expectShape(OutboxMessageView, message);
    const client = await admin.post('/api/oauth/clients', { name: 'Shapes', redirect_uris: ['https://app.example/cb'], type: 'confidential' });
    expect(client.status).toBe(201);
    expectShape(OauthClientView, client.body);
    const clients = (await admin.get('/api/oauth/clients')).body.clients as unknown[];
    expect(clients.length).toBeGreaterThan(0);
    for (const c of clients) expectShape(OauthClientView, c);
  });

  it("a real node's answers match the shared schemas, sessions and JWT sign-ins alike", async () => {
    const browser = new TestClient(node.url);
    const user = freshUser('shapes');
    const signup = await browser.post('/api/auth/signup', user);
    expect(signup.status).toBe(201);
    expectShape(UserView, signup.body.user);
    const login = await browser.post('/api/auth/session/login', { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    expectShape(UserView, login.body.user);
    expectShape(SessionView, login.body.session);
    const jwt = await new TestClient(node.url).post('/api/auth/jwt/login', { email: user.email, password: user.password });
    expect(jwt.status).toBe(200);
    expectShape(TokenResponse, jwt.body);

    const me = await browser.get('/api/me');
    expectShape(PrincipalView, me.body);
    expect(me.body.credential.kind).toBe('session');
    expectShape(PrincipalView, (await browser.get('/api/whoami')).body.me);
    const devices = (await browser.get('/api/auth/sessions')).body.sessions as unknown[];
    expect(devices.map((d) => (d as { kind: string }).kind).sort()).toEqual(['jwt', 'session']);
    for (const device of devices) expectShape(SessionView, device);
    const events = (await browser.get('/api/audit')).body.events as unknown[];
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expectShape(AuditEventView, event);
    expectShape(FactorStatus, (await browser.get('/api/account/factors')).body);
    expectShape(AccountStatus, (await browser.get('/api/account/status')).body);
    expectShape(Preferences, (await browser.get('/api/preferences')).body);
  });

  it('chat events from a real node match the shared contract', async () => {
    const speaker = new TestClient(node.url);
    const user = freshUser('speaker');
    expect((await speaker.post('/api/auth/signup', user)).status).toBe(201);
    expect((await speaker.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const socket = io(`${node.url}/chat`, { autoConnect: false, reconnection: false, forceNew: true, transports: ['websocket'], extraHeaders: { cookie: speaker.cookieHeader() } });
    sockets.push(socket);
    const connected = nextEvent(socket, 'connect');
    socket.connect();
    await connected;

    const presence = nextEvent<unknown>(socket, 'presence');
    const joined = await request(socket, 'room:join', 'shapes');
    expectShape(Presence, joined);
    expectShape(Presence, await presence);
    const arrived = nextEvent<unknown>(socket, 'message:new');
    const sent = await request<{ id: string }>(socket, 'message:send', { room: 'shapes', text: 'hello' });
    const message = await arrived;
    expectShape(ChatMessage, message);
    expect((message as ChatMessage).id).toBe(sent.id);
    const history = await request<{ messages: unknown[] }>(socket, 'history', { room: 'shapes' });
    expect(history.messages).toHaveLength(1);
    for (const m of history.messages) expectShape(ChatMessage, m);
  });
});
