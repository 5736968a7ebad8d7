// RFC 6749 / RFC 9700 negative cases over raw HTTP, as any relying party (or attacker) would send them.
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeInBrowser, type RunningGatehouse } from '../oauth/support.js';
import { EMAIL, PASSWORD, REDIRECT, startProvider } from './support.js';

describe('conformance: RFC 6749 / RFC 9700 negative cases', () => {
  let gh: RunningGatehouse;
  let clientId: string;
  let secret: string;
  let basic: string;

  beforeAll(async () => {
    gh = await startProvider();
    const created = await gh.createClient({ name: 'Negative RP', redirectUris: [REDIRECT], type: 'confidential' });
    clientId = created.client_id;
    secret = created.client_secret!;
    basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  }, 60_000);
  afterAll(() => gh?.close());

  const authorizeUrl = (params: Record<string, string>) => `${gh.issuer}/auth?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, scope: 'openid', state: 'st', ...params })}`;
  const token = (body: Record<string, string>, authorization = basic) =>
    fetch(`${gh.issuer}/token`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
  /** The error the provider sends back to the client's redirect URI. */
  const redirectError = async (params: Record<string, string>) => {
    const response = await fetch(authorizeUrl(params), { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? 'about:blank');
    // Implicit response types answer in the fragment (their default response mode).
    const error = location.searchParams.get('error') ?? new URLSearchParams(location.hash.slice(1)).get('error');
    return location.origin + location.pathname === REDIRECT ? error : `status ${response.status}`;
  };
  async function code(challengeFor = 'verifier-0123456789-0123456789-0123456789-abcdefgh') {
    const url = new URL(authorizeUrl({ response_type: 'code', code_challenge: await client.calculatePKCECodeChallenge(challengeFor), code_challenge_method: 'S256' }));
    const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: EMAIL, password: PASSWORD });
    return callback.searchParams.get('code')!;
  }

  it('refuses implicit and hybrid response types', async () => {
    for (const responseType of ['token', 'id_token', 'id_token token', 'code id_token', 'code token']) {
      expect(await redirectError({ response_type: responseType, nonce: 'n' }), responseType).toBe('unsupported_response_type');
    }
  });

  it('refuses the password grant', async () => {
    const response = await token({ grant_type: 'password', username: EMAIL, password: PASSWORD });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('refuses an authorization request without PKCE', async () => {
    expect(await redirectError({ response_type: 'code' })).toBe('invalid_request');
    // plain is not S256 (RFC 9700 §2.1.1).
    expect(await redirectError({ response_type: 'code', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' })).toBe('invalid_request');
  });

  it('refuses a code with the wrong verifier, and a code used twice', async () => {
    const wrong = await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT, code_verifier: 'another-verifier-0123456789-0123456789-0123456' });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const good = await code();
    const verifier = 'verifier-0123456789-0123456789-0123456789-abcdefgh';
    const first = await token({ grant_type: 'authorization_code', code: good, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(first.status).toBe(200);
    const { access_token } = (await first.json()) as { access_token: string };
    const again = await token({ grant_type: 'authorization_code', code: good, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    // RFC 6749 §4.1.2: the tokens issued for a replayed code are revoked.
    const userinfo = await fetch(`${gh.issuer}/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(userinfo.status).toBe(401);
  });

  it('refuses an unregistered redirect_uri without redirecting', async () => {
    const response = await fetch(authorizeUrl({ response_type: 'code', redirect_uri: 'https://attacker.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses a client with the wrong secret', async () => {
    const response = await token({ grant_type: 'client_credentials' }, `Basic ${Buffer.from(`${clientId}:not-the-secret`).toString('base64')}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('bounds user-code guessing at the device verification endpoint (RFC 8628 §5.1)', async () => {
    const guess = (xsrf: string, cookie: string) =>
      fetch(`${gh.issuer}/device`, {
        method: 'POST',
        headers: { accept: 'application/json', cookie, origin: gh.origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf, user_code: 'BCDF-GHJK' }).toString(),
      });
    const start = await fetch(`${gh.issuer}/device`, { headers: { accept: 'application/json' } });
    const cookie = start.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    let { xsrf } = (await start.json()) as { xsrf: string };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 40 && !statuses.includes(429); attempt++) {
      const response = await guess(xsrf, cookie);
      statuses.push(response.status);
      if (response.status === 200) {
        const body = (await response.json()) as { problem?: string; xsrf: string };
        expect(body.problem).toBe('not-found');
        // A refused code comes back with a fresh form secret, as the page would use it.
        xsrf = body.xsrf;
      }
    }
    // The first guesses are answered "not found"; the endpoint then refuses more from this address.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses).toContain(429);
  });
});
