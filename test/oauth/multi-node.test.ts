// The authorization server's state lives in gatehouse's stores, so it works across
// several nodes and survives a restart. Two nodes share PostgreSQL (clients, grants, refresh tokens) and
// Redis (sessions, interactions, codes); a flow starts on one and finishes on the other, then the first
// node is restarted and the refresh token still works.
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPostgres, createTestRedis } from '../support/services.js';
import { Browser, parsePage, startGatehouse, type RunningGatehouse } from './support.js';

const REDIRECT = 'https://rp.example/cb';

describe('OAuth across nodes on PostgreSQL + Redis', () => {
  let pg: Awaited<ReturnType<typeof createTestPostgres>>;
  let redis: Awaited<ReturnType<typeof createTestRedis>>;
  let a: RunningGatehouse;
  let b: RunningGatehouse;
  const secret = 'multi-node-test-secret-0123456789abcdef';

  beforeAll(async () => {
    pg = await createTestPostgres();
    redis = await createTestRedis();
    const shared = { databaseUrl: pg.url, redisUrl: redis.url, keyPrefix: redis.prefix, secret };
    a = await startGatehouse(shared);
    // B is another node behind the same public URL (a balancer would spread requests over both).
    b = await startGatehouse({ ...shared, publicUrl: a.origin });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.dispose();
    await pg?.drop();
  });

  it('starts a flow on one node, finishes it on the other, and refreshes after a restart', async () => {
    await a.signup('kim@example.com', 'kim password 1234');
    const created = await a.createClient({ name: 'RP', type: 'confidential', redirectUris: [REDIRECT] });
    const bPort = String(b.port);
    const toB = (url: URL | string) => {
      const u = new URL(url);
      u.port = bPort;
      return u;
    };
    const config = await client.discovery(new URL(a.issuer), created.client_id, created.client_secret, undefined, { execute: [client.allowInsecureRequests] });
    // The RP's back-channel calls land on node B.
    config[client.customFetch] = (url, options) => fetch(toB(url), options as RequestInit);

    const verifier = client.randomPKCECodeVerifier();
    const browser = new Browser();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid offline_access', state: 'mn', prompt: 'consent',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    // Authorization request on A; the login page is then served by B from the interaction in Redis.
    const first = await browser.request(authUrl);
    expect(first.status).toBe(303);
    const interaction = new URL(first.headers.get('location')!, a.origin);
    const cookie = browser.jar.header(interaction);
    const pageOnB = await fetch(toB(interaction), { headers: { cookie } });
    const login = parsePage(await pageOnB.text());
    expect(login.hasPasswordInput).toBe(true);
    // Login posted to B, consent on A.
    const posted = await fetch(toB(new URL(login.actions[0]!, a.origin)), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: a.origin },
      body: new URLSearchParams({ csrf: login.csrf, email: 'kim@example.com', password: 'kim password 1234' }).toString(),
    });
    expect(posted.status).toBe(303);
    const { response: consentPage, url: consentUrl } = await browser.follow(new URL(posted.headers.get('location')!, a.origin), a.origin);
    const consent = parsePage(await consentPage.text());
    expect(consent.allowButton).toBe(true);
    const { url: callback } = await browser.submit(new URL(consent.actions[0]!, consentUrl), [['csrf', consent.csrf], ...consent.scopes.map((s): [string, string] => ['scope', s])], a.origin);
    // Code redeemed on B.
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'mn' });
    expect(tokens.refresh_token).toBeDefined();

    // Restart A on the same port and stores; B is gone too — only the stores remember.
    const port = a.port;
    await a.close();
    await b.close();
    a = await startGatehouse({ databaseUrl: pg.url, redisUrl: redis.url, keyPrefix: redis.prefix, secret, port });
    b = a;
    config[client.customFetch] = (url, options) => fetch(url, options as RequestInit);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeDefined();
    expect((await client.tokenIntrospection(config, refreshed.refresh_token!)).active).toBe(true);
    const info = await client.fetchUserInfo(config, refreshed.access_token, tokens.claims()!.sub);
    expect(info.sub).toBe(tokens.claims()!.sub);
  }, 120_000);
});
