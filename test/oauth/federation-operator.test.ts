// Operators configure sign-in providers without code: `gatehouse provider add|list|remove` (real
// processes on the data directory a node then serves), the providers file and the env form, the
// callback URL printed for the upstream side, and failures logged with their cause — never the secret —
// while the user gets a page. Gatehouse B is the upstream OpenID provider in every case.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { configFromEnv, isGatehouseError, loadConfig } from '../../src/core/index.js';
import { runCliOrThrow, standaloneEnv } from '../support/cli.js';
import { createTempDir } from '../support/services.js';
import { authorizeInBrowser, Browser, freePort, startGatehouse, type RunningGatehouse } from './support.js';

/** The real CLI as its own process: what an operator types, stdin and all. */
function cliProcess(args: string[], dataDir: string, options: { stdin?: string; env?: Record<string, string> } = {}) {
  return runCliOrThrow([...args, '--data-dir', dataDir], { env: standaloneEnv({ GATEHOUSE_SECRET: '', ...options.env }), stdin: options.stdin ?? '' });
}

/**
 * The same CLI command run in this process (each spawned tsx process costs seconds on a loaded machine):
 * its module's run() with the environment it would see, its output, and main.ts's exit-code rule.
 */
async function cli(args: string[], dataDir: string, options: { env?: Record<string, string> } = {}): Promise<{ stdout: string }> {
  const words = args.filter((a) => !a.startsWith('-')).slice(0, 2);
  const modules = { add: () => import('../../src/cli/commands/provider-add.js'), list: () => import('../../src/cli/commands/provider-list.js'), remove: () => import('../../src/cli/commands/provider-remove.js') };
  const { command } = await modules[words[1] as keyof typeof modules]();
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: '', REDIS_URL: '', GATEHOUSE_SECRET: '', ...options.env });
  const out: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  try {
    await command.run([...args.slice(2), '--data-dir', dataDir]);
    return { stdout: out.map((l) => `${l}\n`).join('') };
  } catch (error) {
    const code = error instanceof UsageError ? 2 : 1;
    throw Object.assign(new Error('command failed'), { code, stderr: isGatehouseError(error) ? `${error.code}: ${error.message}` : (error as Error).message });
  } finally {
    console.log = log;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** A logger whose lines the test can read: what an operator would see in the node's log. */
function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('operators configure sign-in providers without code', () => {
  let b: RunningGatehouse;
  const toClose: { close(): Promise<unknown> }[] = [];
  beforeAll(async () => {
    b = await startGatehouse();
    await b.signup('pat@example.com', 'pat password at B');
  }, 60_000);
  afterAll(async () => {
    for (const c of toClose.reverse()) await c.close();
    await b?.close();
  });

  async function signInThrough(a: RunningGatehouse, provider: string): Promise<Response> {
    const browser = new Browser();
    const start = await browser.request(`${a.origin}/api/auth/federation/${provider}/start`);
    expect(start.status).toBe(302);
    const callback = await authorizeInBrowser({ authorizationUrl: new URL(start.headers.get('location')!), origin: b.origin, email: 'pat@example.com', password: 'pat password at B', browser });
    const answer = await browser.request(callback);
    if (answer.status === 303 && answer.headers.get('location') === '/') {
      expect((await browser.request(`${a.origin}/api/me`)).status).toBe(200);
    }
    return answer;
  }

  it('gatehouse provider add prints the exact callback URL; list and remove; a node on that store signs people in', async () => {
    const dir = await createTempDir('gh-provider-cli-');
    toClose.push({ close: () => dir.remove() });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const client = await b.createClient({ name: 'A via CLI', type: 'confidential', redirectUris: [`${origin}/api/auth/federation/corp/callback`], scopes: ['openid', 'email', 'profile'] });

    const added = await cliProcess(
      ['provider', 'add', '--id', 'corp', '--kind', 'oidc', '--issuer', b.issuer, '--client-id', client.client_id, '--client-secret-stdin', '--name', 'Corp SSO', '--public-url', origin],
      dir.path,
      { stdin: `${client.client_secret}\n` },
    );
    expect(added.stdout).toContain(`  ${origin}/api/auth/federation/corp/callback\n`);
    expect(added.stdout).toContain('client secret: stored (sealed)');
    expect(added.stdout).not.toContain(client.client_secret!);

    const listed = await cli(['provider', 'list', '--json', '--public-url', origin], dir.path);
    const { providers } = JSON.parse(listed.stdout) as { providers: Record<string, unknown>[] };
    expect(providers).toEqual([
      expect.objectContaining({ id: 'corp', displayName: 'Corp SSO', kind: 'oidc', issuer: b.issuer, hasClientSecret: true, trustEmail: false, source: 'store', callbackUrl: `${origin}/api/auth/federation/corp/callback` }),
    ]);
    expect(listed.stdout).not.toContain(client.client_secret!);

    // Bad input: a clear coded error, exit 1; usage mistakes exit 2.
    await expect(cli(['provider', 'add', '--id', 'x', '--kind', 'oidc', '--issuer', 'http://idp.example', '--client-id', 'c'], dir.path)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/GH_OAUTH_PROVIDER_INVALID.*https/),
    });
    await expect(cli(['provider', 'add', '--id', 'x', '--kind', 'facebook', '--client-id', 'c'], dir.path)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--kind must be one of/) });

    const a = await startGatehouse({ dataDir: dir.path, port, publicUrl: origin });
    toClose.push(a);
    const answer = await signInThrough(a, 'corp');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/');
    await a.close();

    await cli(['provider', 'remove', '--id', 'corp'], dir.path);
    await expect(cli(['provider', 'remove', '--id', 'corp'], dir.path)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/GH_OAUTH_PROVIDER_UNKNOWN/) });
  }, 300_000);

  it('a providers file joined with the env form declares providers; they are read-only to the CLI and the admin API', async () => {
    const dir = await createTempDir('gh-provider-file-');
    toClose.push({ close: () => dir.remove() });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const client = await b.createClient({ name: 'A via file', type: 'confidential', redirectUris: [`${origin}/api/auth/federation/upstream-b/callback`], scopes: ['openid', 'email', 'profile'] });
    // The file holds everything but the secret; the environment holds the secret.
    const file = join(dir.path, 'providers.yaml');
    await writeFile(file, `providers:\n  - id: upstream-b\n    kind: oidc\n    issuer: ${b.issuer}\n    clientId: ${client.client_id}\n    displayName: Upstream B\n    trustEmail: true\n`);
    const env = { GATEHOUSE_PROVIDERS_FILE: file, GATEHOUSE_PROVIDER_UPSTREAM_B_CLIENT_SECRET: client.client_secret! };

    const { config } = loadConfig(configFromEnv(env));
    expect(config.federation).toEqual({ providersFile: file, providers: [{ id: 'upstream-b', clientSecret: client.client_secret }] });
    const { logger, lines } = memoryLogger();
    const a = await startGatehouse({ dataDir: dir.path, port, publicUrl: origin, logger, config: { federation: config.federation } });
    toClose.push(a);
    // The node names each declared provider's callback URL at start.
    expect(lines.some((l) => l.includes('sign-in provider declared in configuration') && l.includes(`${origin}/api/auth/federation/upstream-b/callback`))).toBe(true);
    expect((await signInThrough(a, 'upstream-b')).headers.get('location')).toBe('/');

    // The CLI sees it (source config) and will not remove it.
    const listed = await cli(['provider', 'list', '--json', '--public-url', origin], dir.path, { env });
    expect((JSON.parse(listed.stdout) as { providers: unknown[] }).providers).toEqual([expect.objectContaining({ id: 'upstream-b', source: 'config', trustEmail: true, hasClientSecret: true })]);
    await expect(cli(['provider', 'remove', '--id', 'upstream-b'], dir.path, { env })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/GH_FEDERATION_PROVIDER_DECLARED/) });
    const admin = await a.gh.ctx.identity.signup({ email: 'ops@file.example', password: 'ops password 123456', roles: ['admin'] });
    const { token } = await a.gh.ctx.sessions.create({ userId: admin.id, ip: '127.0.0.1', userAgent: 'test' });
    const viaApi = await fetch(`${origin}/api/auth/federation/providers/upstream-b`, {
      method: 'DELETE',
      headers: { cookie: `${a.gh.ctx.cookies.names.session}=${token}`, origin, 'x-requested-with': 'fetch' },
    });
    expect(viaApi.status).toBe(409);
    expect(((await viaApi.json()) as { error: string }).error).toBe('GH_FEDERATION_PROVIDER_DECLARED');

    // A mistake in the file refuses to start, naming the entry — and never echoing a secret.
    await writeFile(file, `- id: broken\n  kind: oidc\n  clientId: c\n  clientSecret: do-not-print-me\n  issuer: ftp://x\n`);
    await expect(cli(['provider', 'list'], dir.path, { env })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/GH_CORE_CONFIG_INVALID.*broken.*https/) });
    await expect(cli(['provider', 'list'], dir.path, { env })).rejects.toMatchObject({ stderr: expect.not.stringContaining('do-not-print-me') });
  }, 300_000);

  it('a failed sign-in is logged with its cause but never the secret, and the user gets a page', async () => {
    const { logger, lines } = memoryLogger();
    const a = await startGatehouse({ logger });
    toClose.push(a);
    const client = await b.createClient({ name: 'A wrong secret', type: 'confidential', redirectUris: [`${a.origin}/api/auth/federation/wrong/callback`], scopes: ['openid', 'email', 'profile'] });
    const wrongSecret = 'definitely-not-the-client-secret-0123456789';
    const closedPort = await freePort();
    const admin = await a.gh.ctx.identity.signup({ email: 'ops@a.example', password: 'ops password 123456', roles: ['admin'] });
    const { token } = await a.gh.ctx.sessions.create({ userId: admin.id, ip: '127.0.0.1', userAgent: 'test' });
    const add = (body: Record<string, unknown>) =>
      fetch(`${a.origin}/api/auth/federation/providers`, {
        method: 'POST',
        headers: { cookie: `${a.gh.ctx.cookies.names.session}=${token}`, origin: a.origin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await add({ id: 'wrong', kind: 'oidc', issuer: b.issuer, clientId: client.client_id, clientSecret: wrongSecret })).status).toBe(201);
    expect((await add({ id: 'gone', kind: 'oidc', issuer: `http://127.0.0.1:${closedPort}/oidc`, clientId: 'x', clientSecret: wrongSecret })).status).toBe(201);

    // The upstream refuses the client at the token endpoint.
    const refused = await signInThrough(a, 'wrong');
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/federation/problem?code=GH_OAUTH_FEDERATION_FAILED&provider=wrong');
    const tokenFailure = lines.find((l) => l.includes('federation sign-in failed') && l.includes('"provider":"wrong"'));
    expect(tokenFailure).toMatch(/invalid_client/);

    // The upstream cannot be reached at all: the start itself fails, as a page.
    const browser = new Browser();
    const unreachable = await browser.request(`${a.origin}/api/auth/federation/gone/start`);
    expect(unreachable.status).toBe(303);
    expect(unreachable.headers.get('location')).toBe('/federation/problem?code=GH_OAUTH_FEDERATION_FAILED&provider=gone');
    const reachFailure = lines.find((l) => l.includes('federation sign-in failed') && l.includes('"provider":"gone"'));
    expect(reachFailure).toMatch(/ECONNREFUSED|fetch failed/);

    expect(lines.join('\n')).not.toContain(wrongSecret);
  }, 300_000);
});
