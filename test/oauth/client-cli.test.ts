// "Done when": a third-party app registered with `gatehouse client create` signs a user in through the
// consent page. The CLI runs as a real process on the same data directory a node then serves.
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliOrThrow, standaloneEnv } from '../support/cli.js';
import { createTempDir } from '../support/services.js';
import { authorizeInBrowser, startGatehouse, type RunningGatehouse } from './support.js';

const cli = (args: string[], dataDir: string) => runCliOrThrow([...args, '--data-dir', dataDir], { env: standaloneEnv() });

describe('gatehouse client create', () => {
  let dir: { path: string; remove(): Promise<void> };
  let gh: RunningGatehouse | undefined;
  beforeAll(async () => {
    dir = await createTempDir('gh-client-cli-');
  });
  afterAll(async () => {
    await gh?.close();
    await dir.remove();
  });

  it('prints client_id and client_secret, and the client signs a user in', async () => {
    const { stdout } = await cli(
      ['client', 'create', '--name', 'Printer', '--redirect-uri', 'https://printer.example/cb', '--type', 'confidential', '--scopes', 'openid profile profile:read', '--json'],
      dir.path,
    );
    const created = JSON.parse(stdout) as { client_id: string; client_secret: string; scope: string; client_type: string };
    expect(created.client_id).toMatch(/^gh_/);
    expect(created.client_secret.length).toBeGreaterThanOrEqual(40);
    expect(created.client_type).toBe('confidential');

    const text = await cli(['client', 'create', '--name', 'SPA', '--redirect-uri', 'http://127.0.0.1:5173/cb', '--type', 'public'], dir.path);
    expect(text.stdout).toMatch(/client_id:\s+gh_/);
    expect(text.stdout).not.toMatch(/client_secret/);

    gh = await startGatehouse({ dataDir: dir.path });
    await gh.signup('carol@example.com', 'carol password 123');
    const config = await client.discovery(new URL(gh.issuer), created.client_id, created.client_secret, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'https://printer.example/cb', scope: 'openid profile profile:read', state: 'cli', resource: gh.apiResource,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await authorizeInBrowser({ authorizationUrl: url, origin: gh.origin, email: 'carol@example.com', password: 'carol password 123' });
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'cli' }, { resource: gh.apiResource });
    const profile = await fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(profile.status).toBe(200);
  }, 120_000);

  it('refuses bad registrations with a clear message', async () => {
    const attempt = cli(['client', 'create', '--name', 'X', '--redirect-uri', 'http://evil.example/cb', '--type', 'public'], dir.path);
    await expect(attempt).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/GH_OAUTH_CLIENT_INVALID.*https/) });
    const usage = cli(['client', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--type', 'secret'], dir.path);
    await expect(usage).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--type must be public or confidential/) });
    const scope = cli(['client', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--type', 'public', '--scopes', 'openid admin'], dir.path);
    await expect(scope).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/unknown scope admin/) });
  }, 120_000);

  it('registers private_key_jwt clients with their jwks_uri and an ID token algorithm of their choice', async () => {
    const { stdout } = await cli(
      ['client', 'create', '--name', 'Backend', '--redirect-uri', 'https://backend.example/cb', '--type', 'confidential', '--auth-method', 'private_key_jwt', '--jwks-uri', 'https://backend.example/jwks', '--id-token-alg', 'ES256', '--json'],
      dir.path,
    );
    const created = JSON.parse(stdout) as Record<string, unknown>;
    expect(created).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://backend.example/jwks', id_token_signed_response_alg: 'ES256' });
    // It proves itself with its key: no secret is minted for it.
    expect(created.client_secret).toBeUndefined();
    const noJwks = cli(['client', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--type', 'confidential', '--auth-method', 'private_key_jwt'], dir.path);
    await expect(noJwks).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/--jwks-uri/) });
    const badAlg = cli(['client', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--type', 'public', '--id-token-alg', 'HS256'], dir.path);
    await expect(badAlg).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--id-token-alg must be one of RS256, ES256, EdDSA/) });
  }, 120_000);
});
