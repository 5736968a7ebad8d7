// The whole authorization-code + PKCE flow, with openid-client as a real relying party against a
// running gatehouse: discovery, login form, consent (one scope unticked), code
// exchange, ID token validation, userinfo, API access with an at+jwt, refresh with rotation,
// introspection, revocation, grant revocation by the user, RP-initiated logout.
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, parsePage, startGatehouse, type RunningGatehouse } from './support.js';

const REDIRECT = 'https://rp.example/callback';
const PASSWORD = 'correct horse battery staple';

describe('OAuth 2.0 / OIDC code flow with openid-client', () => {
  let gh: RunningGatehouse;
  let config: client.Configuration;
  let userId: string;
  let clientId: string;

  beforeAll(async () => {
    gh = await startGatehouse();
    userId = (await gh.signup('alice@example.com', PASSWORD, 'Alice')).id;
    const created = await gh.createClient({ name: 'Photo Printer', redirectUris: [REDIRECT], type: 'confidential', postLogoutRedirectUris: ['https://rp.example/bye'] });
    clientId = created.client_id;
    config = await client.discovery(new URL(gh.issuer), created.client_id, created.client_secret, undefined, { execute: [client.allowInsecureRequests] });
  }, 60_000);
  afterAll(() => gh?.close());

  /** Browser side of an authorization request up to the consent page; returns the browser and the page. */
  async function toConsent(params: Record<string, string>) {
    const browser = new Browser();
    const { response: loginPage, url } = await browser.follow(client.buildAuthorizationUrl(config, params), gh.origin);
    const loginHtml = await loginPage.text();
    const login = parsePage(loginHtml);
    expect(loginPage.status).toBe(200);
    expect(login.hasPasswordInput).toBe(true);
    const { response: consentPage, url: consentUrl } = await browser.submit(
      new URL(login.actions[0]!, url),
      [['csrf', login.csrf], ['email', 'alice@example.com'], ['password', PASSWORD]],
      gh.origin,
    );
    return { browser, consentPage, consentHtml: await consentPage.text(), consentUrl };
  }

  it('publishes discovery under /oidc with the issuer, PKCE S256 only and no implicit flow', async () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(gh.issuer);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.grant_types_supported).not.toContain('password');
    expect(meta.grant_types_supported).not.toContain('implicit');
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(meta.pushed_authorization_request_endpoint).toBeDefined();
    expect(meta.dpop_signing_alg_values_supported).toBeDefined();
    expect(meta.registration_endpoint).toBeUndefined();
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access', 'profile:read', 'messages:read']));
  });

  it('signs in, lets the user untick a scope, and delivers only what was left ticked', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const { browser, consentPage, consentHtml, consentUrl } = await toConsent({
      redirect_uri: REDIRECT,
      scope: 'openid profile email offline_access profile:read messages:read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      resource: gh.apiResource,
      prompt: 'consent',
    });
    expect(consentPage.status).toBe(200);
    const consent = parsePage(consentHtml);
    expect(consent.allowButton).toBe(true);
    expect(consentHtml).toContain('Deny');
    expect(consent.scopes).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access', 'profile:read', 'messages:read']));
    // The user unticks email and messages:read.
    const ticked = consent.scopes.filter((s) => s !== 'email' && s !== 'messages:read' && s !== 'openid');
    const { response, url: callback } = await browser.submit(
      new URL(consent.actions[0]!, consentUrl),
      [['csrf', consent.csrf], ...ticked.map((s): [string, string] => ['scope', s])],
      gh.origin,
    );
    expect(response.status).toBe(303);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(gh.issuer);

    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(userId);
    expect(claims.iss).toBe(gh.issuer);
    expect(claims.aud).toBe(clientId);
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'offline_access']));
    expect(tokens.scope).not.toMatch(/email|messages:read/);
    expect(tokens.refresh_token).toBeDefined();

    // userinfo: profile claims, never the unticked email.
    const info = await client.fetchUserInfo(config, tokens.access_token, userId);
    expect(info.name).toBe('Alice');
    expect(info.email).toBeUndefined();

    // The API token: ask for the resource at refresh; it is an at+jwt with only profile:read.
    const api = await client.refreshTokenGrant(config, tokens.refresh_token!, { resource: gh.apiResource });
    expect(api.refresh_token).toBeDefined();
    expect(api.refresh_token).not.toBe(tokens.refresh_token);
    const header = JSON.parse(Buffer.from(api.access_token.split('.')[0]!, 'base64url').toString()) as { typ: string; kid: string };
    expect(header.typ).toBe('at+jwt');
    const jwks = (await (await fetch(`${gh.origin}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(api.scope).toBe('profile:read');

    const profile = await fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `Bearer ${api.access_token}` } });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ sub: userId, email: 'alice@example.com', client_id: clientId });
    const messages = await fetch(`${gh.origin}/api/resources/messages`, { headers: { authorization: `Bearer ${api.access_token}` } });
    expect(messages.status).toBe(403);
    expect(messages.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);

    // A rotated refresh token replayed: the whole grant dies (RFC 9700 §4.14.2).
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(config, api.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const dead = await fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `Bearer ${api.access_token}` } });
    expect(dead.status).toBe(401);
    expect(dead.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  }, 60_000);

  async function fullGrant() {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const { browser, consentHtml, consentUrl } = await toConsent({
      redirect_uri: REDIRECT,
      scope: 'openid email offline_access profile:read messages:read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      resource: gh.apiResource,
      prompt: 'consent',
    });
    const consent = parsePage(consentHtml);
    const { url: callback } = await browser.submit(new URL(consent.actions[0]!, consentUrl), [['csrf', consent.csrf], ...consent.scopes.map((s): [string, string] => ['scope', s])], gh.origin);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, { resource: gh.apiResource });
    return { browser, tokens };
  }

  it('introspects and revokes tokens (RFC 7662, RFC 7009)', async () => {
    const { tokens } = await fullGrant();
    const active = await client.tokenIntrospection(config, tokens.refresh_token!);
    expect(active.active).toBe(true);
    expect(active.sub).toBe(userId);
    expect(active.client_id).toBe(clientId);
    await client.tokenRevocation(config, tokens.refresh_token!);
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
  }, 60_000);

  it('lists the grant on the account and kills its tokens the moment the user revokes it', async () => {
    const { tokens } = await fullGrant();
    const call = () => fetch(`${gh.origin}/api/resources/messages`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await call()).status).toBe(200);

    const session = await gh.gh.ctx.sessions.create({ userId, ip: '127.0.0.1', userAgent: 'test' });
    const cookie = `${gh.gh.ctx.cookies.names.session}=${session.token}`;
    const listed = (await (await fetch(`${gh.origin}/api/oauth/grants`, { headers: { cookie } })).json()) as { grants: { id: string; clientId: string; scopes: string[] }[] };
    const grant = listed.grants.find((g) => g.clientId === clientId && g.scopes.includes('messages:read'));
    expect(grant).toBeDefined();

    const revoked = await fetch(`${gh.origin}/api/oauth/grants/${grant!.id}`, { method: 'DELETE', headers: { cookie, origin: gh.origin, 'x-requested-with': 'fetch' } });
    expect(revoked.status).toBe(204);
    const after = await call();
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/invalid_token/);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const again = await fetch(`${gh.origin}/api/oauth/grants/${grant!.id}`, { method: 'DELETE', headers: { cookie, origin: gh.origin, 'x-requested-with': 'fetch' } });
    expect(again.status).toBe(404);
    // Both ends of the grant are in the user's security log, without any token.
    const audit = (await (await fetch(`${gh.origin}/api/audit`, { headers: { cookie } })).json()) as { events: { type: string; data: Record<string, unknown> }[] };
    expect(audit.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'oauth.grant', data: expect.objectContaining({ clientId, grantId: grant!.id, scopes: expect.arrayContaining(['messages:read']) }) }),
        expect.objectContaining({ type: 'oauth.revoke', data: { clientId, grantId: grant!.id } }),
      ]),
    );
  }, 60_000);

  it('does not ask a user signed in to gatehouse (session mode) for the password again', async () => {
    const browser = new Browser();
    const login = await browser.request(`${gh.origin}/api/auth/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: gh.origin },
      body: JSON.stringify({ email: 'alice@example.com', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const verifier = client.randomPKCECodeVerifier();
    const { response } = await browser.follow(
      client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: client.randomState(),
        prompt: 'consent',
      }),
      gh.origin,
    );
    const page = parsePage(await response.text());
    expect(page.hasPasswordInput).toBe(false);
    expect(page.allowButton).toBe(true);
  }, 60_000);

  it('signs out through RP-initiated logout', async () => {
    const { browser, tokens } = await fullGrant();
    const endSession = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/bye', state: 'bye-1' });
    const { response } = await browser.follow(endSession, gh.origin);
    const html = await response.text();
    expect(html).toContain('op.logoutForm');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const { url } = await browser.submit(new URL(action, gh.origin), [['xsrf', xsrf], ['logout', 'yes']], gh.origin);
    expect(url.toString()).toBe('https://rp.example/bye?state=bye-1');
  }, 60_000);

  it('issues client-credentials tokens that cannot act for a user', async () => {
    const cc = await client.clientCredentialsGrant(config, { resource: gh.apiResource, scope: 'profile:read' });
    expect(cc.access_token).toBeDefined();
    const response = await fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `Bearer ${cc.access_token}` } });
    expect(response.status).toBe(403);
  }, 60_000);

  it('follows a keystore rotation: new tokens carry the new kid, earlier ones keep working', async () => {
    const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const before = await fullGrant();
    const oldKid = kidOf(before.tokens.access_token);
    const { current } = await gh.gh.ctx.tokens.keystore.rotate();
    expect(current).not.toBe(oldKid);
    const after = await fullGrant();
    expect(kidOf(after.tokens.access_token)).toBe(current);
    // ID tokens are RS256 by default (OIDC Core §15.1), from the RSA lane that rotated with the rest.
    const rsa = await gh.gh.ctx.tokens.keystore.signingKey('RS256');
    expect(kidOf(after.tokens.id_token!)).toBe(rsa.kid);
    expect(kidOf(before.tokens.id_token!)).not.toBe(rsa.kid);
    expect(JSON.parse(Buffer.from(after.tokens.id_token!.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'RS256' });
    const published = (await (await fetch(`${gh.issuer}/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([current, oldKid]));
    expect(published.keys.every((k) => k.d === undefined)).toBe(true);
    for (const token of [before.tokens.access_token, after.tokens.access_token]) {
      const response = await fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    }
  }, 60_000);
});
