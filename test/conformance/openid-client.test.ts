// openid-client, with its default settings (allowInsecureRequests only because the test server speaks
// plain HTTP on loopback), through every profile gatehouse lists as supported in docs/conformance.md.
import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeInBrowser, type RunningGatehouse } from '../oauth/support.js';
import { api, EMAIL, INITIAL_ACCESS_TOKEN, jwsHeader, PASSWORD, REDIRECT, startProvider, startRelyingPartyServer, type RelyingPartyServer } from './support.js';

const insecure = { execute: [client.allowInsecureRequests] };

describe('conformance: openid-client with its defaults', () => {
  let gh: RunningGatehouse & { userId: string };
  let rp: RelyingPartyServer;
  let confidential: client.Configuration;
  let publicClient: client.Configuration;

  beforeAll(async () => {
    gh = await startProvider();
    rp = await startRelyingPartyServer();
    const created = await gh.createClient({ name: 'Conformance RP', redirectUris: [REDIRECT], type: 'confidential' });
    confidential = await client.discovery(new URL(gh.issuer), created.client_id, created.client_secret, undefined, insecure);
    const pub = await gh.createClient({ name: 'Conformance SPA', redirectUris: [REDIRECT], type: 'public' });
    publicClient = await client.discovery(new URL(gh.issuer), pub.client_id, undefined, client.None(), insecure);
  }, 60_000);
  afterAll(async () => {
    await gh?.close();
    await rp?.close();
  });

  /** A whole authorization: the user signs in and consents through the provider's forms. */
  async function authorize(config: client.Configuration, params: Record<string, string>, par = false) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const all = { redirect_uri: REDIRECT, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, ...params };
    const url = par ? await client.buildAuthorizationUrlWithPAR(config, all) : client.buildAuthorizationUrl(config, all);
    const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: EMAIL, password: PASSWORD });
    return { callback, checks: { pkceCodeVerifier: verifier, expectedState: state } };
  }

  it('discovers the provider with OpenID discovery', () => {
    const meta = confidential.serverMetadata();
    expect(meta.issuer).toBe(gh.issuer);
    expect(meta.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256', 'EdDSA']));
    // What discovery advertises is exactly what can be registered.
    expect([...(meta.token_endpoint_auth_methods_supported ?? [])].sort()).toEqual(['client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'none', 'private_key_jwt']);
    expect(meta.device_authorization_endpoint).toBe(`${gh.issuer}/device/auth`);
    expect(meta.backchannel_logout_supported).toBe(true);
    expect(meta.registration_endpoint).toBe(`${gh.issuer}/reg`);
    expect(meta.end_session_endpoint).toBeDefined();
  });

  it('discovers the server with RFC 8414 metadata', async () => {
    const config = await client.discovery(new URL(gh.issuer), 'x', undefined, undefined, { ...insecure, algorithm: 'oauth2' });
    expect(config.serverMetadata().issuer).toBe(gh.issuer);
    expect(config.serverMetadata().token_endpoint).toBe(`${gh.issuer}/token`);
  });

  it('code flow with PKCE for a confidential client, RS256 ID token by default', async () => {
    const nonce = client.randomNonce();
    const { callback, checks } = await authorize(confidential, { scope: 'openid profile email', nonce });
    const tokens = await client.authorizationCodeGrant(confidential, callback, { ...checks, expectedNonce: nonce, idTokenExpected: true });
    expect(jwsHeader(tokens.id_token!).alg).toBe('RS256');
    const info = await client.fetchUserInfo(confidential, tokens.access_token, tokens.claims()!.sub);
    expect(info).toMatchObject({ email: EMAIL, name: 'Conformance' });
  });

  it('code flow with PKCE for a public client', async () => {
    const { callback, checks } = await authorize(publicClient, { scope: 'openid' });
    const tokens = await client.authorizationCodeGrant(publicClient, callback, checks);
    expect(tokens.claims()?.aud).toBe(publicClient.clientMetadata().client_id);
  });

  it('signs ID tokens with the algorithm the client registered', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const created = await gh.createClient({ name: `RP ${alg}`, redirectUris: [REDIRECT], type: 'confidential', idTokenAlg: alg });
      const config = await client.discovery(new URL(gh.issuer), created.client_id, { client_secret: created.client_secret!, id_token_signed_response_alg: alg }, undefined, insecure);
      const { callback, checks } = await authorize(config, { scope: 'openid' });
      const tokens = await client.authorizationCodeGrant(config, callback, checks);
      expect(jwsHeader(tokens.id_token!).alg).toBe(alg);
    }
  });

  it('API scopes without resource give a JWT access token the API accepts', async () => {
    const { callback, checks } = await authorize(confidential, { scope: 'openid profile:read offline_access', prompt: 'consent' });
    const tokens = await client.authorizationCodeGrant(confidential, callback, checks);
    expect(jwsHeader(tokens.access_token).typ).toBe('at+jwt');
    const profile = await client.fetchProtectedResource(confidential, tokens.access_token, new URL(`${gh.origin}/api/resources/profile`), 'GET');
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ email: EMAIL });
    // Refreshing (no resource either) keeps giving the API's token.
    const refreshed = await client.refreshTokenGrant(confidential, tokens.refresh_token!);
    expect((await api(gh, refreshed.access_token)).status).toBe(200);
  });

  it('a named resource still gets its at+jwt, and the userinfo token stays opaque', async () => {
    const { callback, checks } = await authorize(confidential, { scope: 'openid profile:read offline_access', resource: gh.apiResource, prompt: 'consent' });
    const tokens = await client.authorizationCodeGrant(confidential, callback, checks);
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect((await client.fetchUserInfo(confidential, tokens.access_token, tokens.claims()!.sub)).sub).toBe(tokens.claims()!.sub);
    const forApi = await client.refreshTokenGrant(confidential, tokens.refresh_token!, { resource: gh.apiResource });
    expect((await api(gh, forApi.access_token)).status).toBe(200);
  });

  it('rotates refresh tokens and kills the grant on replay', async () => {
    const { callback, checks } = await authorize(confidential, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await client.authorizationCodeGrant(confidential, callback, checks);
    const next = await client.refreshTokenGrant(confidential, tokens.refresh_token!);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(confidential, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(confidential, next.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('client credentials for a confidential client', async () => {
    const tokens = await client.clientCredentialsGrant(confidential, { scope: 'profile:read' });
    expect(jwsHeader(tokens.access_token).typ).toBe('at+jwt');
    const introspected = await client.tokenIntrospection(confidential, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: confidential.clientMetadata().client_id, aud: gh.apiResource });
  });

  it('pushed authorization request', async () => {
    const { callback, checks } = await authorize(confidential, { scope: 'openid' }, true);
    const tokens = await client.authorizationCodeGrant(confidential, callback, checks);
    expect(tokens.id_token).toBeDefined();
  });

  it('DPoP-bound tokens work at the API only with a proof', async () => {
    const dpop = client.getDPoPHandle(confidential, await client.randomDPoPKeyPair());
    const { callback, checks } = await authorize(confidential, { scope: 'openid profile:read' });
    const tokens = await client.authorizationCodeGrant(confidential, callback, checks, undefined, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const url = new URL(`${gh.origin}/api/resources/profile`);
    expect((await client.fetchProtectedResource(confidential, tokens.access_token, url, 'GET', undefined, undefined, { DPoP: dpop })).status).toBe(200);
    expect((await api(gh, tokens.access_token)).status).toBe(401);
  });

  it('introspects opaque and JWT access tokens', async () => {
    const { callback, checks } = await authorize(confidential, { scope: 'openid profile:read' });
    const jwt = (await client.authorizationCodeGrant(confidential, callback, checks)).access_token;
    const opaque = (await client.clientCredentialsGrant(confidential, {})).access_token;
    expect(opaque.split('.')).toHaveLength(1);
    expect(await client.tokenIntrospection(confidential, opaque)).toMatchObject({ active: true });
    expect(await client.tokenIntrospection(confidential, jwt)).toMatchObject({ active: true, sub: gh.userId, scope: 'profile:read', token_type: 'Bearer', iss: gh.issuer });
    // Someone else's signature: inactive, not an error.
    const forged = `${jwt.split('.').slice(0, 2).join('.')}.${Buffer.from('forged').toString('base64url')}`;
    expect(await client.tokenIntrospection(confidential, forged)).toEqual({ active: false });
  });

  it('revoking a JWT access token makes it inactive everywhere', async () => {
    const { callback, checks } = await authorize(confidential, { scope: 'openid profile:read' });
    const jwt = (await client.authorizationCodeGrant(confidential, callback, checks)).access_token;
    expect((await api(gh, jwt)).status).toBe(200);
    await client.tokenRevocation(confidential, jwt);
    expect(await client.tokenIntrospection(confidential, jwt)).toEqual({ active: false });
    const refused = await api(gh, jwt);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('revoking an opaque access token also ends its sibling JWT', async () => {
    const { callback, checks } = await authorize(confidential, { scope: 'openid profile:read offline_access', resource: gh.apiResource, prompt: 'consent' });
    const tokens = await client.authorizationCodeGrant(confidential, callback, checks);
    const sibling = (await client.refreshTokenGrant(confidential, tokens.refresh_token!, { resource: gh.apiResource })).access_token;
    expect((await api(gh, sibling)).status).toBe(200);
    await client.tokenRevocation(confidential, tokens.access_token);
    expect(await client.tokenIntrospection(confidential, tokens.access_token)).toEqual({ active: false });
    expect((await api(gh, sibling)).status).toBe(401);
    expect(await client.tokenIntrospection(confidential, sibling)).toEqual({ active: false });
  });

  it('dynamic client registration needs the initial access token', async () => {
    const metadata = { client_name: 'Registered RP', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], token_endpoint_auth_method: 'client_secret_basic' };
    await expect(client.dynamicClientRegistration(new URL(gh.issuer), metadata, undefined, insecure)).rejects.toBeDefined();
    await expect(client.dynamicClientRegistration(new URL(gh.issuer), metadata, undefined, { ...insecure, initialAccessToken: 'wrong-token-wrong-token-wrong-token' })).rejects.toBeDefined();
    const registered = await client.dynamicClientRegistration(new URL(gh.issuer), metadata, undefined, { ...insecure, initialAccessToken: INITIAL_ACCESS_TOKEN });
    const { client_id, registration_client_uri, registration_access_token } = registered.clientMetadata() as Record<string, string>;
    expect(client_id).toBeDefined();
    const { callback, checks } = await authorize(registered, { scope: 'openid' });
    expect((await client.authorizationCodeGrant(registered, callback, checks)).id_token).toBeDefined();
    // RFC 7592: the client reads its own registration with its registration access token.
    const read = await fetch(registration_client_uri!, { headers: { authorization: `Bearer ${registration_access_token}` } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ client_id, client_name: 'Registered RP' });
  });

  it('private_key_jwt client authenticates with its own key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    rp.jwks = { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'rp-key' }] };
    const created = await gh.createClient({ name: 'Backend', redirectUris: [REDIRECT], type: 'confidential', authMethod: 'private_key_jwt', jwksUri: `${rp.url}/jwks` });
    expect(created.client_secret).toBeUndefined();
    const config = await client.discovery(new URL(gh.issuer), created.client_id, undefined, client.PrivateKeyJwt({ key: privateKey, kid: 'rp-key' }), insecure);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'profile:read' });
    expect(jwsHeader(tokens.access_token).typ).toBe('at+jwt');
    // Someone else's key is refused.
    const other = await generateKeyPair('ES256');
    const impostor = await client.discovery(new URL(gh.issuer), created.client_id, undefined, client.PrivateKeyJwt({ key: other.privateKey, kid: 'rp-key' }), insecure);
    await expect(client.clientCredentialsGrant(impostor, { scope: 'profile:read' })).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('client_secret_jwt client authenticates', async () => {
    const created = await gh.createClient({ name: 'HMAC client', redirectUris: [REDIRECT], type: 'confidential', authMethod: 'client_secret_jwt' });
    const config = await client.discovery(new URL(gh.issuer), created.client_id, undefined, client.ClientSecretJwt(created.client_secret), insecure);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'profile:read' });
    expect(tokens.access_token).toBeDefined();
    const wrong = await client.discovery(new URL(gh.issuer), created.client_id, undefined, client.ClientSecretJwt('x'.repeat(43)), insecure);
    await expect(client.clientCredentialsGrant(wrong, { scope: 'profile:read' })).rejects.toMatchObject({ error: 'invalid_client' });
  });
});
