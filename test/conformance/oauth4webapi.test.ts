// oauth4webapi, with its default settings (allowInsecureRequests only because the test server speaks
// plain HTTP on loopback), through the profiles it implements.
import { exportJWK, generateKeyPair as joseKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeInBrowser, type RunningGatehouse } from '../oauth/support.js';
import { api, approveDevice, EMAIL, INITIAL_ACCESS_TOKEN, jwsHeader, PASSWORD, REDIRECT, startProvider, startRelyingPartyServer, type RelyingPartyServer } from './support.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe('conformance: oauth4webapi with its defaults', () => {
  let gh: RunningGatehouse & { userId: string };
  let rp: RelyingPartyServer;
  let as: oauth.AuthorizationServer;
  let confidential: { client: oauth.Client; auth: oauth.ClientAuth };
  let publicClient: { client: oauth.Client; auth: oauth.ClientAuth };

  beforeAll(async () => {
    gh = await startProvider();
    rp = await startRelyingPartyServer();
    const issuer = new URL(gh.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    const c = await gh.createClient({ name: 'o4 RP', redirectUris: [REDIRECT], type: 'confidential', device: true });
    confidential = { client: { client_id: c.client_id }, auth: oauth.ClientSecretBasic(c.client_secret!) };
    const p = await gh.createClient({ name: 'o4 SPA', redirectUris: [REDIRECT], type: 'public' });
    publicClient = { client: { client_id: p.client_id }, auth: oauth.None() };
  }, 60_000);
  afterAll(async () => {
    await gh?.close();
    await rp?.close();
  });

  async function codeGrant(who: { client: oauth.Client; auth: oauth.ClientAuth }, scope: string, options: { par?: boolean; DPoP?: oauth.DPoPHandle; prompt?: string } = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const params = new URLSearchParams({
      client_id: who.client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(options.prompt ? { prompt: options.prompt } : {}),
    });
    const url = new URL(as.authorization_endpoint!);
    if (options.par) {
      const pushed = await oauth.processPushedAuthorizationResponse(as, who.client, await oauth.pushedAuthorizationRequest(as, who.client, who.auth, params, insecure));
      url.search = new URLSearchParams({ client_id: who.client.client_id, request_uri: pushed.request_uri }).toString();
    } else {
      url.search = params.toString();
    }
    const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: EMAIL, password: PASSWORD });
    const validated = oauth.validateAuthResponse(as, who.client, callback, state);
    const dpop = options.DPoP ? { DPoP: options.DPoP } : {};
    const response = await oauth.authorizationCodeGrantRequest(as, who.client, who.auth, validated, REDIRECT, verifier, { ...insecure, ...dpop });
    return oauth.processAuthorizationCodeResponse(as, who.client, response, { expectedNonce: nonce, requireIdToken: scope.split(' ').includes('openid') });
  }

  it('discovers the provider with OpenID discovery', () => {
    expect(as.issuer).toBe(gh.issuer);
    expect(as.id_token_signing_alg_values_supported).toContain('RS256');
  });

  it('discovers the server with RFC 8414 metadata', async () => {
    // oauth4webapi's 'oauth2' algorithm builds the path-aware URL: /.well-known/oauth-authorization-server/oidc.
    const issuer = new URL(gh.issuer);
    const meta = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    expect(meta.issuer).toBe(gh.issuer);
    expect(meta.token_endpoint).toBe(as.token_endpoint);
  });

  it('code flow with PKCE for a confidential client, RS256 ID token by default', async () => {
    const result = await codeGrant(confidential, 'openid profile');
    expect(jwsHeader(result.id_token!).alg).toBe('RS256');
    expect(oauth.getValidatedIdTokenClaims(result)?.sub).toBe(gh.userId);
  });

  it('code flow with PKCE for a public client', async () => {
    const result = await codeGrant(publicClient, 'openid');
    expect(oauth.getValidatedIdTokenClaims(result)?.aud).toBe(publicClient.client.client_id);
  });

  it('API scopes without resource give a JWT access token the API accepts', async () => {
    const result = await codeGrant(confidential, 'openid profile:read');
    expect(jwsHeader(result.access_token).typ).toBe('at+jwt');
    const response = await oauth.protectedResourceRequest(result.access_token, 'GET', new URL(`${gh.origin}/api/resources/profile`), undefined, undefined, insecure);
    expect(response.status).toBe(200);
  });

  it('rotates refresh tokens', async () => {
    const result = await codeGrant(confidential, 'openid offline_access', { prompt: 'consent' });
    const refreshed = await oauth.processRefreshTokenResponse(as, confidential.client, await oauth.refreshTokenGrantRequest(as, confidential.client, confidential.auth, result.refresh_token!, insecure));
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(result.refresh_token);
  });

  it('client credentials for a confidential client', async () => {
    const response = await oauth.clientCredentialsGrantRequest(as, confidential.client, confidential.auth, new URLSearchParams({ scope: 'profile:read' }), insecure);
    const result = await oauth.processClientCredentialsResponse(as, confidential.client, response);
    expect(jwsHeader(result.access_token).typ).toBe('at+jwt');
  });

  it('pushed authorization request', async () => {
    const result = await codeGrant(confidential, 'openid', { par: true });
    expect(result.id_token).toBeDefined();
  });

  it('DPoP-bound tokens work at the API only with a proof', async () => {
    const DPoP = oauth.DPoP(confidential.client, await oauth.generateKeyPair('ES256'));
    const result = await codeGrant(confidential, 'openid profile:read', { DPoP });
    expect(result.token_type).toBe('dpop');
    const url = new URL(`${gh.origin}/api/resources/profile`);
    expect((await oauth.protectedResourceRequest(result.access_token, 'GET', url, undefined, undefined, { ...insecure, DPoP })).status).toBe(200);
    expect((await api(gh, result.access_token)).status).toBe(401);
  });

  it('device authorization grant', async () => {
    const started = await oauth.processDeviceAuthorizationResponse(as, confidential.client, await oauth.deviceAuthorizationRequest(as, confidential.client, confidential.auth, new URLSearchParams({ scope: 'openid profile:read' }), insecure));
    const poll = () => oauth.deviceCodeGrantRequest(as, confidential.client, confidential.auth, started.device_code, insecure).then((r) => oauth.processDeviceCodeResponse(as, confidential.client, r));
    await expect(poll()).rejects.toMatchObject({ error: 'authorization_pending' });
    // The device shows the web app's page, the complete form carrying the code.
    expect(started.verification_uri).toBe(`${gh.origin}/device`);
    expect(started.verification_uri_complete).toBe(`${gh.origin}/device?user_code=${encodeURIComponent(started.user_code)}`);
    // A link to the provider's own endpoint (what devices showed before) lands on the page, code kept.
    const legacy = await fetch(`${gh.issuer}/device?user_code=${encodeURIComponent(started.user_code)}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(legacy.status).toBe(303);
    expect(legacy.headers.get('location')).toBe(started.verification_uri_complete);
    const done = await approveDevice(gh, started.verification_uri_complete!);
    expect(done.searchParams.get('result')).toBe('approved');
    const result = await poll();
    expect((await api(gh, result.access_token)).status).toBe(200);

    // The user says no: the device's next poll gets access_denied (RFC 8628 §3.5).
    const refused = await oauth.processDeviceAuthorizationResponse(as, confidential.client, await oauth.deviceAuthorizationRequest(as, confidential.client, confidential.auth, new URLSearchParams({ scope: 'openid' }), insecure));
    const denied = await approveDevice(gh, refused.verification_uri_complete!, 'deny');
    expect(denied.searchParams.get('result')).toBe('denied');
    await expect(oauth.deviceCodeGrantRequest(as, confidential.client, confidential.auth, refused.device_code, insecure).then((r) => oauth.processDeviceCodeResponse(as, confidential.client, r))).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('introspects and revokes a JWT access token', async () => {
    const result = await codeGrant(confidential, 'openid profile:read');
    const introspect = async () =>
      oauth.processIntrospectionResponse(as, confidential.client, await oauth.introspectionRequest(as, confidential.client, confidential.auth, result.access_token, insecure));
    expect(await introspect()).toMatchObject({ active: true, sub: gh.userId, client_id: confidential.client.client_id });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, confidential.client, confidential.auth, result.access_token, insecure));
    expect((await introspect()).active).toBe(false);
    expect((await api(gh, result.access_token)).status).toBe(401);
  });

  it('dynamic client registration needs the initial access token', async () => {
    const metadata = { client_name: 'o4 registered', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] };
    const refused = await oauth.dynamicClientRegistrationRequest(as, metadata, insecure);
    await expect(oauth.processDynamicClientRegistrationResponse(refused)).rejects.toBeDefined();
    const registered = await oauth.processDynamicClientRegistrationResponse(await oauth.dynamicClientRegistrationRequest(as, metadata, { ...insecure, initialAccessToken: INITIAL_ACCESS_TOKEN }));
    const result = await codeGrant({ client: { client_id: registered.client_id }, auth: oauth.None() }, 'openid');
    expect(result.id_token).toBeDefined();
  });

  it('private_key_jwt client authenticates with its own key', async () => {
    const { publicKey, privateKey } = await joseKeyPair('ES256', { extractable: true });
    rp.jwks = { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'o4-key' }] };
    const created = await gh.createClient({ name: 'o4 backend', redirectUris: [REDIRECT], type: 'confidential', authMethod: 'private_key_jwt', jwksUri: `${rp.url}/jwks` });
    const auth = oauth.PrivateKeyJwt({ key: privateKey, kid: 'o4-key' });
    const response = await oauth.clientCredentialsGrantRequest(as, { client_id: created.client_id }, auth, new URLSearchParams({ scope: 'profile:read' }), insecure);
    const result = await oauth.processClientCredentialsResponse(as, { client_id: created.client_id }, response);
    expect(result.access_token).toBeDefined();
  });
});
