// The security suite's attacker kit: two real nodes behind one public URL on real stores (SQLite, or
// PostgreSQL + Redis), and a way to obtain every credential kind gatehouse issues — sealed cookie,
// server session, JWT pair, OAuth access + refresh token, the provider's own browser session — and a
// socket opened with each.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createClientManager } from '../../src/oauth/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { chatClient, nextEvent, open, type ChatClient } from '../support/realtime.js';
import { Browser, authorizeInBrowser } from '../oauth/support.js';

export const BACKENDS = [
  { label: 'SQLite', dialect: 'sqlite' as const, redis: false },
  { label: 'PostgreSQL + Redis', dialect: 'postgres' as const, redis: true },
];

export const SEALED = '__Host-gh.auth';
export const SID = '__Host-gh.sid';
export const REDIRECT = 'https://rp.example/callback';
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Person {
  id: string;
  email: string;
  password: string;
}

export interface SecurityStack {
  stack: TestStack;
  /** Node a: the public URL (issuer, browser origin). */
  a: TestNode;
  /** Node b: a second machine on the same stores, behind the same public URL. */
  b: TestNode;
  /**
   * Where sockets are opened: node b when Redis carries revocations between nodes; on SQLite alone two
   * in-process test nodes share no socket adapter (`gatehouse up` links its nodes by cluster IPC), so
   * the socket lives on the node that revokes.
   */
  socketNode: TestNode;
  dispose(): Promise<void>;
}

export async function startSecurityStack(backend: (typeof BACKENDS)[number]): Promise<SecurityStack> {
  const stack = await createTestStack({ dialect: backend.dialect, redis: backend.redis, config: { passwords: { memoryCostKiB: 1024, timeCost: 1 } } });
  const a = await stack.startNode();
  const b = await stack.startNode({ server: { publicUrl: a.url } });
  return { stack, a, b, socketNode: backend.redis ? b : a, dispose: () => stack.dispose() };
}

export async function signUp(node: TestNode, label: string): Promise<Person> {
  const who = freshUser(label);
  const res = await new TestClient(node.url, { origin: null }).post('/api/auth/signup', who);
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, email: who.email, password: who.password };
}

/** A browser (Origin set, cookie jar) that logged in in cookie mode: holds the sealed cookie. */
export async function cookieLogin(node: TestNode, who: Person): Promise<TestClient> {
  const client = new TestClient(node.url);
  expect((await client.post('/api/auth/cookie/login', { email: who.email, password: who.password })).status).toBe(200);
  expect(client.cookies.get(SEALED)).toEqual(expect.any(String));
  return client;
}

/** A browser that logged in in session mode: holds the session cookie. */
export async function sessionLogin(node: TestNode, who: Person, userAgent = 'Laptop Browser'): Promise<TestClient> {
  const client = new TestClient(node.url, { headers: { 'user-agent': userAgent } });
  expect((await client.post('/api/auth/session/login', { email: who.email, password: who.password })).status).toBe(200);
  expect(client.cookies.get(SID)).toEqual(expect.any(String));
  return client;
}

export interface JwtPair {
  access: string;
  refresh: string;
  familyId: string;
}

/** A native app's JWT sign-in: access token and refresh token in the body. */
export async function jwtLogin(node: TestNode, who: Person, userAgent = 'Phone App/1.0'): Promise<JwtPair> {
  const res = await new TestClient(node.url, { origin: null, headers: { 'user-agent': userAgent } }).post('/api/auth/jwt/login', { email: who.email, password: who.password, refresh_token_in_body: true });
  expect(res.status).toBe(200);
  const me = await new TestClient(node.url, { origin: null }).get('/api/me', bearer(res.body.access_token));
  return { access: res.body.access_token, refresh: res.body.refresh_token, familyId: me.body.credential.id };
}

export async function jwtRefresh(node: TestNode, refreshToken: string) {
  return new TestClient(node.url, { origin: null }).post('/api/auth/jwt/refresh', { refresh_token: refreshToken });
}

export interface ThirdPartyClient {
  clientId: string;
  clientSecret: string;
}

/** A client registered the way `gatehouse client create` registers one. */
export async function registerClient(node: TestNode, name = 'Photo Printer'): Promise<ThirdPartyClient> {
  const clients = createClientManager({ db: node.node.ctx.database.db, ids: node.node.ctx.ids, clock: node.node.ctx.clock });
  const created = await clients.create({ name, redirectUris: [REDIRECT], type: 'confidential' });
  return { clientId: created.client_id, clientSecret: created.client_secret! };
}

export interface OauthTokens {
  access: string;
  refresh: string;
  /** The browser whose provider session (gh.op.session) approved the client. */
  browser: Browser;
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function authorizationUrl(node: TestNode, client: ThirdPartyClient, scope: string, challenge: string, extra: Record<string, string> = {}): URL {
  const url = new URL('/oidc/auth', node.url);
  const params = {
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    resource: `${node.url}/api`,
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** The token endpoint, as the client calls it (client_secret_basic). */
export async function tokenEndpoint(node: TestNode, client: ThirdPartyClient, form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(new URL('/oidc/token', node.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** The user approves the client in a browser (login form, consent); the client redeems the code. */
export async function authorizeClient(
  node: TestNode,
  client: ThirdPartyClient,
  who: Person,
  options: { scope?: string; browser?: Browser } = {},
): Promise<OauthTokens> {
  const browser = options.browser ?? new Browser();
  const { verifier, challenge } = pkce();
  const callback = await authorizeInBrowser({
    authorizationUrl: authorizationUrl(node, client, options.scope ?? 'openid offline_access profile:read messages:read', challenge, { prompt: 'consent' }),
    origin: node.url,
    email: who.email,
    password: who.password,
    browser,
  });
  const code = callback.searchParams.get('code');
  expect(code, `callback ${callback}`).toEqual(expect.any(String));
  const tokens = await tokenEndpoint(node, client, { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT, code_verifier: verifier, resource: `${node.url}/api` });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return { access: tokens.body.access_token!, refresh: tokens.body.refresh_token!, browser };
}

/**
 * What the provider's browser session alone is worth: an authorization request with prompt=none from
 * the browser that once signed in. Returns the code it minted, or the error it answered with.
 */
export async function silentAuthorize(node: TestNode, client: ThirdPartyClient, browser: Browser): Promise<{ code: string | null; error: string | null }> {
  const { challenge } = pkce();
  const { url } = await browser.follow(authorizationUrl(node, client, 'openid profile:read', challenge, { prompt: 'none' }), node.url);
  expect(url.origin, `expected a redirect to the client, got ${url}`).toBe(new URL(REDIRECT).origin);
  return { code: url.searchParams.get('code'), error: url.searchParams.get('error') };
}

/** The code-minting flow from a browser with a provider session but no password typed: a login page or a code. */
export async function interactiveAuthorize(node: TestNode, client: ThirdPartyClient, browser: Browser): Promise<{ askedForPassword: boolean; code: string | null }> {
  const { challenge } = pkce();
  const { response, url } = await browser.follow(authorizationUrl(node, client, 'openid profile:read', challenge), node.url);
  if (url.origin === new URL(REDIRECT).origin) return { askedForPassword: false, code: url.searchParams.get('code') };
  const html = await response.text();
  return { askedForPassword: /<input[^>]+name="password"/.test(html), code: null };
}

/** A socket on `node` opened with one credential; resolves once connected. */
export async function socketWith(node: TestNode, credential: { token?: string; cookie?: string }): Promise<ChatClient> {
  const socket = chatClient(node.url, credential.token ? { token: credential.token } : {}, credential.cookie ? { extraHeaders: { cookie: credential.cookie } } : {});
  return open(socket);
}

/** Resolves with the reason once the server ends the socket's credential (auth:ended, then disconnect). */
export function endedBy(socket: ChatClient): Promise<{ error: string }> {
  const ended = nextEvent<{ error: string }>(socket, 'auth:ended');
  const closed = nextEvent(socket, 'disconnect');
  return Promise.all([ended, closed]).then(([payload]) => payload);
}

/** A second connection attempt with the same credential: the guard's answer at the handshake. */
export async function handshakeRefused(node: TestNode, credential: { token?: string; cookie?: string }): Promise<string> {
  try {
    const socket = await socketWith(node, credential);
    socket.disconnect();
    return 'accepted';
  } catch (error) {
    return String((error as { data?: { error?: string } }).data?.error ?? (error as Error).message);
  }
}
