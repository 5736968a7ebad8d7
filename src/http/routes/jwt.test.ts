// JWT mode end to end: real nodes on ephemeral ports sharing real stores, time moved by the
// injected clock. "Done when": log in, call the API with the bearer token, refresh from two tabs at
// once, log out, and see the old access token refused at once on every node.
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/index.js';
import { createTestStack, type TestNode, type TestStack } from '../../../test/support/app.js';
import { TestClient, freshUser } from '../../../test/support/client.js';

const RT = '__Secure-gh.rt';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signUp(node: TestNode, label: string) {
  const who = freshUser(label);
  const res = await new TestClient(node.url, { origin: null }).post('/api/auth/signup', who);
  expect(res.status).toBe(201);
  return who;
}

describe.each([
  { label: 'SQLite', dialect: 'sqlite' as const, redis: false },
  { label: 'PostgreSQL + Redis', dialect: 'postgres' as const, redis: true },
])('JWT mode on $label, two nodes', ({ dialect, redis }) => {
  const clock = createManualClock(Date.now());
  let stack: TestStack;
  let a: TestNode;
  let b: TestNode;
  /** A browser on the public origin (node a's), whichever node its request reaches — as behind a balancer. */
  let browserOn: (node: TestNode) => TestClient;
  /** A native client: no Origin header and no cookie jar. */
  let nativeOn: (node: TestNode) => TestClient;
  beforeAll(async () => {
    stack = await createTestStack({ dialect, redis, clock });
    a = await stack.startNode();
    // Nodes behind one balancer share one public URL: it is the tokens' issuer and the browser's origin.
    b = await stack.startNode({ server: { publicUrl: a.url } });
    browserOn = (node) => new TestClient(node.url, { origin: a.url });
    nativeOn = (node) => new TestClient(node.url, { origin: null });
  });
  afterAll(() => stack.dispose());

  it('browser login: access token in the body, refresh token only in a strict HttpOnly cookie; /api/me accepts the bearer', async () => {
    const who = await signUp(a, 'jwt');
    const browser = browserOn(a);
    const login = await browser.post('/api/auth/jwt/login', { email: who.email, password: who.password });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600 });
    expect(login.headers.get('cache-control')).toBe('no-store');
    const cookie = login.setCookies.find((c) => c.startsWith(`${RT}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/api\/auth\/jwt(;|$)/);

    // Any node verifies it: the claims travel in the token.
    const me = await nativeOn(b).get('/api/me', bearer(login.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(who.email);
    expect(me.body.credential).toMatchObject({ kind: 'jwt', scopes: ['api'] });
    expect(me.body.credential.id).toEqual(expect.any(String));
  });

  it('native client: asks for the refresh token in the body and rotates it through the body', async () => {
    const who = await signUp(a, 'native');
    const app = nativeOn(a);
    const login = await app.post('/api/auth/jwt/login', { email: who.email, password: who.password, refresh_token_in_body: true });
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    app.cookies.clear();
    const refreshed = await app.post('/api/auth/jwt/refresh', { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
    expect(refreshed.setCookies.filter((c) => c.startsWith(`${RT}=`) && !/Max-Age=0/i.test(c))).toHaveLength(0);
    expect((await app.get('/api/me', bearer(refreshed.body.access_token))).status).toBe(200);
  });

  it('two tabs refreshing at once both stay signed in; replaying the old token later ends the family and is audited', async () => {
    const who = await signUp(a, 'tabs');
    const browser = browserOn(a);
    await browser.post('/api/auth/jwt/login', { email: who.email, password: who.password });
    const original = browser.cookies.get(RT)!;
    // Two tabs share the cookie jar; one request goes to each node.
    const tabB = browserOn(b);
    tabB.cookies.set(RT, original);
    const [one, two] = await Promise.all([browser.post('/api/auth/jwt/refresh'), tabB.post('/api/auth/jwt/refresh')]);
    expect(one.status).toBe(200);
    expect(two.status).toBe(200);
    expect(browser.cookies.get(RT)).toBe(tabB.cookies.get(RT));
    expect(browser.cookies.get(RT)).not.toBe(original);
    const live = one.body.access_token as string;
    expect((await browser.get('/api/me', bearer(live))).status).toBe(200);

    clock.advance(11_000);
    const thief = browserOn(b);
    thief.cookies.set(RT, original);
    const replay = await thief.post('/api/auth/jwt/refresh');
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: 'GH_TOKEN_REFRESH_REUSED', message: expect.any(String) });
    // The family is dead everywhere: its refresh token and its live access token alike.
    expect((await browser.post('/api/auth/jwt/refresh')).status).toBe(401);
    const me = await nativeOn(a).get('/api/me', bearer(live));
    expect(me.status).toBe(401);
    expect(me.body.error).toBe('GH_TOKEN_REVOKED');

    const user = await a.node.ctx.identity.findUserByEmail(who.email);
    const events = await a.node.ctx.identity.audit.list({ userId: user!.id });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['login.success', 'token.reuse']));
  });

  it('logout refuses the old access token at once on the other node', async () => {
    const who = await signUp(a, 'logout');
    const browser = browserOn(a);
    const login = await browser.post('/api/auth/jwt/login', { email: who.email, password: who.password });
    const token = login.body.access_token as string;
    const onB = nativeOn(b);
    expect((await onB.get('/api/me', bearer(token))).status).toBe(200);

    const logout = await browser.post('/api/auth/jwt/logout');
    expect(logout.status).toBe(204);
    expect(logout.setCookies.some((c) => c.startsWith(`${RT}=`))).toBe(true);
    expect(browser.cookies.has(RT)).toBe(false);

    const refused = await onB.get('/api/me', bearer(token));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('GH_TOKEN_REVOKED');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse", error="invalid_token", error_description="/);
  });

  it('a native client can log out with only its access token', async () => {
    const who = await signUp(a, 'lost');
    const app = nativeOn(a);
    const login = await app.post('/api/auth/jwt/login', { email: who.email, password: who.password, refresh_token_in_body: true });
    app.cookies.clear();
    const out = await app.request('POST', '/api/auth/jwt/logout', { headers: bearer(login.body.access_token) });
    expect(out.body).toBe(null);
    expect(out.status).toBe(204);
    expect((await nativeOn(b).get('/api/me', bearer(login.body.access_token))).body.error).toBe('GH_TOKEN_REVOKED');
    expect((await app.post('/api/auth/jwt/refresh', { refresh_token: login.body.refresh_token })).status).toBe(401);
  });

  it('"log out everywhere" and a password change reach every JWT sign-in on every node', async () => {
    const who = await signUp(a, 'everywhere');
    const phone = nativeOn(a);
    const laptop = nativeOn(b);
    const p = (await phone.post('/api/auth/jwt/login', { email: who.email, password: who.password })).body.access_token as string;
    const l = (await laptop.post('/api/auth/jwt/login', { email: who.email, password: who.password })).body.access_token as string;
    phone.cookies.clear();
    laptop.cookies.clear();
    expect((await phone.request('POST', '/api/auth/logout-everywhere', { headers: bearer(p) })).status).toBe(204);
    expect((await laptop.get('/api/me', bearer(l))).body.error).toBe('GH_TOKEN_REVOKED');

    const again = (await laptop.post('/api/auth/jwt/login', { email: who.email, password: who.password })).body.access_token as string;
    const other = (await phone.post('/api/auth/jwt/login', { email: who.email, password: who.password })).body.access_token as string;
    laptop.cookies.clear();
    phone.cookies.clear();
    const newPassword = `${who.password} changed`;
    const change = await laptop.request('POST', '/api/auth/password', { json: { currentPassword: who.password, newPassword }, headers: bearer(again) });
    expect(change.status).toBe(204);
    // Every other sign-in ends; the one that changed the password is the caller's and lives on.
    expect((await laptop.get('/api/me', bearer(other))).body.error).toBe('GH_TOKEN_REVOKED');
    expect((await phone.get('/api/me', bearer(again))).status).toBe(200);
  });

  it('answers bad bearer tokens with coded 401s and an RFC 6750 challenge', async () => {
    const who = await signUp(a, 'expiry');
    const app = nativeOn(a);
    const token = (await app.post('/api/auth/jwt/login', { email: who.email, password: who.password })).body.access_token as string;
    const garbage = await app.get('/api/me', bearer('not-a-jwt'));
    expect(garbage.status).toBe(401);
    expect(garbage.body.error).toBe('GH_TOKEN_MALFORMED');
    expect(garbage.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const [h, p] = token.split('.');
    expect((await app.get('/api/me', bearer(`${h}.${p}.AAAA`))).body.error).toBe('GH_TOKEN_INVALID');
    clock.advance((600 + 31) * 1000);
    const expired = await app.get('/api/me', bearer(token));
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('GH_TOKEN_EXPIRED');
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(JSON.stringify(expired.body)).not.toContain(token);
    const none = await app.get('/api/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('publishes the JWKS; an outside verifier checks our tokens with it', async () => {
    const who = await signUp(a, 'jwks');
    const app = nativeOn(b);
    const token = (await app.post('/api/auth/jwt/login', { email: who.email, password: who.password })).body.access_token as string;
    const jwks = await browserOn(a).get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    // The current and next key of each lane: EdDSA (first-party tokens here), ES256 and RS256 (ID tokens).
    const byAlg = new Map<string, number>();
    for (const key of jwks.body.keys as { alg: string }[]) {
      byAlg.set(key.alg, (byAlg.get(key.alg) ?? 0) + 1);
      expect(key).toMatchObject({ use: 'sig', kid: expect.any(String) });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
    expect(Object.fromEntries(byAlg)).toEqual({ EdDSA: 2, ES256: 2, RS256: 2 });
    expect(jwks.body.keys.filter((k: { alg: string }) => k.alg === 'EdDSA')).toEqual(
      expect.arrayContaining([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' })]),
    );
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), { typ: 'at+jwt', currentDate: new Date(clock.now()) });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: expect.any(String), sid: expect.any(String), scope: 'api', jti: expect.any(String) });
  });

  it('key rotation on one node: old and new tokens verify on both, the old key stays published until its tokens expired', async () => {
    const who = await signUp(a, 'rotation');
    const app = nativeOn(a);
    const login = async (node: TestNode) => (await nativeOn(node).post('/api/auth/jwt/login', { email: who.email, password: who.password })).body.access_token as string;
    const before = await login(a);
    const oldKid = (await a.node.ctx.tokens.keystore.signingKey()).kid;
    const { current } = await a.node.ctx.tokens.keystore.rotate();
    const after = await login(a);
    // b has not reloaded yet: it knows a's new signing key as the published `next` one.
    for (const token of [before, after]) {
      expect((await nativeOn(b).get('/api/me', bearer(token))).status).toBe(200);
      expect((await app.get('/api/me', bearer(token))).status).toBe(200);
    }
    const kids = ((await nativeOn(a).get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid);
    expect(kids.slice(0, 1)).toEqual([current]);
    expect(kids).toContain(oldKid);
    clock.advance((600 + 30) * 1000);
    await b.node.ctx.tokens.keystore.reload();
    expect((await b.node.ctx.tokens.keystore.signingKey()).kid).toBe(current);
    const later = ((await nativeOn(b).get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid);
    expect(later).not.toContain(oldKid);
    // Its key is gone by now, so the old token is refused before its (also past) expiry is even read.
    expect((await app.get('/api/me', bearer(before))).body.error).toBe('GH_TOKEN_KEY_UNKNOWN');
    expect((await app.get('/api/me', bearer(after))).body.error).toBe('GH_TOKEN_EXPIRED');
  });

  it('refresh without a token, or with junk, is a coded 401, never a crash', async () => {
    const app = nativeOn(a);
    expect((await app.post('/api/auth/jwt/refresh')).body.error).toBe('GH_TOKEN_REFRESH_MISSING');
    expect((await app.post('/api/auth/jwt/refresh', { refresh_token: "' OR 1=1 --" })).body.error).toBe('GH_TOKEN_REFRESH_INVALID');
    expect((await app.post('/api/auth/jwt/refresh', { refresh_token: { $ne: null } })).status).toBe(400);
    expect((await app.post('/api/auth/jwt/logout', { refresh_token: 'x'.repeat(40) })).status).toBe(204);
  });
});
