// Attacks from RFC 9700 (OAuth 2.0 Security BCP) against a running gatehouse, with openid-client as the
// relying party: redirect-URI mismatch, code replay, PKCE downgrade and `plain`, missing or wrong state,
// wrong audience and ungranted scope at the resource server, interaction-form CSRF; plus PAR and DPoP.
import { SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeInBrowser, Browser, parsePage, startGatehouse, type RunningGatehouse } from './support.js';

const REDIRECT = 'https://rp.example/cb';
const EMAIL = 'bob@example.com';
const PASSWORD = 'negative tests password 1';

describe('RFC 9700 negative tests', () => {
  let gh: RunningGatehouse;
  let config: client.Configuration;
  let publicConfig: client.Configuration;

  beforeAll(async () => {
    gh = await startGatehouse();
    await gh.signup(EMAIL, PASSWORD);
    const confidential = await gh.createClient({ name: 'Confidential RP', redirectUris: [REDIRECT], type: 'confidential' });
    const pub = await gh.createClient({ name: 'Public SPA', redirectUris: [REDIRECT], type: 'public' });
    const opts = { execute: [client.allowInsecureRequests] };
    config = await client.discovery(new URL(gh.issuer), confidential.client_id, confidential.client_secret, undefined, opts);
    publicConfig = await client.discovery(new URL(gh.issuer), pub.client_id, undefined, client.None(), opts);
  }, 60_000);
  afterAll(() => gh?.close());

  async function pkce() {
    const verifier = client.randomPKCECodeVerifier();
    return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
  }

  async function codeFor(cfg: client.Configuration, extra: Record<string, string> = {}) {
    const { verifier, challenge } = await pkce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access profile:read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      resource: gh.apiResource,
      // offline_access is only honoured with prompt=consent (OIDC Core §11).
      prompt: 'consent',
      ...extra,
    });
    const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: EMAIL, password: PASSWORD });
    return { callback, verifier, state };
  }

  it('refuses a redirect_uri that is not registered exactly, without redirecting to it', async () => {
    for (const uri of ['https://evil.example/cb', 'https://rp.example/cb/', 'https://rp.example/cb?x=1', 'https://RP.example/cb#f']) {
      const { challenge } = await pkce();
      const url = client.buildAuthorizationUrl(config, { redirect_uri: uri, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
      const response = await new Browser().request(url);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('redirect_uri');
    }
  }, 60_000);

  it('refuses a replayed code and revokes what the first exchange produced', async () => {
    const { callback, verifier, state } = await codeFor(config);
    const first = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, { resource: gh.apiResource });
    const api = (token: string) => fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `Bearer ${token}` } });
    expect((await api(first.access_token)).status).toBe(200);
    await expect(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, { resource: gh.apiResource })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await client.tokenIntrospection(config, first.refresh_token!)).active).toBe(false);
    expect((await api(first.access_token)).status).toBe(401);
  }, 60_000);

  it('requires PKCE (S256) and refuses plain, a missing challenge and a wrong verifier', async () => {
    for (const [cfg, params] of [
      [publicConfig, {}],
      [config, {}],
      [publicConfig, { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }],
    ] as const) {
      const url = client.buildAuthorizationUrl(cfg, { redirect_uri: REDIRECT, scope: 'openid', state: 'st', ...params });
      const response = await new Browser().request(url);
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(REDIRECT);
      expect(location.searchParams.get('error')).toBe('invalid_request');
    }
    // Downgrade at the token endpoint: a verifier that does not match the challenge.
    const { callback, state } = await codeFor(publicConfig);
    await expect(
      client.authorizationCodeGrant(publicConfig, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  }, 60_000);

  it('the relying party rejects a callback with a missing or wrong state', async () => {
    const { callback, verifier } = await codeFor(config);
    const failure = (error: unknown) => String((error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message);
    const wrong = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'not-the-state' }).catch((e: unknown) => e);
    expect(failure(wrong)).toMatch(/state/);
    const stripped = new URL(callback);
    stripped.searchParams.delete('state');
    const missing = await client.authorizationCodeGrant(config, stripped, { pkceCodeVerifier: verifier, expectedState: 'expected' }).catch((e: unknown) => e);
    expect(failure(missing)).toMatch(/state/);
  }, 60_000);

  it('the resource server refuses a token for another audience, an ID token and the userinfo token', async () => {
    const { callback, verifier, state } = await codeFor(config);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const call = (token: string) => fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `Bearer ${token}` } });
    // Signed by gatehouse's own current key, right issuer and type, but for someone else's API.
    const { kid, alg, privateKey } = await gh.gh.ctx.tokens.keystore.signingKey();
    const foreign = await new SignJWT({ scope: 'profile:read', client_id: 'x', grant_id: 'g' })
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
      .setIssuer(gh.issuer)
      .setAudience('https://other-api.example')
      .setSubject('someone')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    for (const token of [foreign, tokens.id_token!, tokens.access_token]) {
      const response = await call(token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    }
  }, 60_000);

  it('answers 403 insufficient_scope for a scope the user did not grant', async () => {
    const { verifier, challenge } = await pkce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid profile:read messages:read', code_challenge: challenge, code_challenge_method: 'S256', state: 'st2', resource: gh.apiResource, prompt: 'consent',
    });
    const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: EMAIL, password: PASSWORD, keep: (s) => s !== 'messages:read' });
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'st2' }, { resource: gh.apiResource });
    expect(tokens.scope).toBe('profile:read');
    const response = await fetch(`${gh.origin}/api/resources/messages`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="messages:read"/);
  }, 60_000);

  it('refuses interaction forms without the CSRF token or from another origin', async () => {
    const { challenge } = await pkce();
    const browser = new Browser();
    const { response, url } = await browser.follow(
      client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'c' }),
      gh.origin,
    );
    const page = parsePage(await response.text());
    const action = new URL(page.actions[0]!, url);
    const post = (fields: [string, string][], origin: string) =>
      browser.request(action, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', origin } });
    expect((await post([['email', EMAIL], ['password', PASSWORD]], gh.origin)).status).toBe(403);
    expect((await post([['csrf', page.csrf], ['email', EMAIL], ['password', PASSWORD]], 'https://evil.example')).status).toBe(403);
    const wrong = await post([['csrf', page.csrf], ['email', EMAIL], ['password', 'wrong password here']], gh.origin);
    expect(wrong.status).toBe(401);
    expect(parsePage(await wrong.text()).hasPasswordInput).toBe(true);
  }, 60_000);

  it('runs a pushed authorization request (RFC 9126) and DPoP-bound tokens (RFC 9449)', async () => {
    const { verifier, challenge } = await pkce();
    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      { redirect_uri: REDIRECT, scope: 'openid profile:read', code_challenge: challenge, code_challenge_method: 'S256', state: 'par', resource: gh.apiResource },
    );
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: EMAIL, password: PASSWORD });
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'par' }, { resource: gh.apiResource }, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const resource = new URL(`${gh.origin}/api/resources/profile`);
    const ok = await client.fetchProtectedResource(config, tokens.access_token, resource, 'GET', undefined, undefined, { DPoP: dpop });
    expect(ok.status).toBe(200);
    // The same token without its proof (as a bearer token) is refused.
    const bearer = await fetch(resource, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).toBe(401);
    const asDpopNoProof = await fetch(resource, { headers: { authorization: `DPoP ${tokens.access_token}` } });
    expect(asDpopNoProof.status).toBe(401);
    expect(asDpopNoProof.headers.get('www-authenticate')).toMatch(/^DPoP /);
  }, 60_000);
});
