// `gatehouse config print` as an operator runs it: a real process reading a real file and environment.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/storage/index.js';
import { runCliOrThrow, standaloneEnv } from '../support/cli.js';
import { createTempDir, createTestPostgres } from '../support/services.js';

const PASSWORD = 'pg-password-never-printed';
const TOKEN = 'metrics-token-never-printed-0123';

describe('gatehouse config print', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await createTempDir();
    writeFileSync(join(dir.path, 'gatehouse.yaml'), 'sessions:\n  idleTimeoutSec: 600\n  absoluteLifetimeSec: 7200\ntokens:\n  algorithm: ES256\nserver:\n  port: 4100\n');
  });
  afterAll(() => dir.remove());

  const print = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    // Only what the test sets: an inherited variable would change the sources it asserts.
    for (const name of Object.keys(env)) if ((name.startsWith('GATEHOUSE_') || ['PORT', 'DATABASE_URL', 'REDIS_URL'].includes(name)) && !(name in extraEnv)) delete env[name];
    return runCliOrThrow(['config', 'print', ...args], { env });
  };

  it('shows each effective value with its source, flags over env over file over defaults, secrets redacted', async () => {
    const { stdout } = await print(['--data-dir', dir.path, '--port', '4300'], {
      GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC: '900',
      DATABASE_URL: `postgres://app:${PASSWORD}@db.internal:5432/gatehouse`,
      GATEHOUSE_SERVER_METRICS_TOKEN: TOKEN,
    });
    const file = join(dir.path, 'gatehouse.yaml');
    const line = (key: string) => stdout.split('\n').find((l) => l.startsWith(`${key} `))?.replace(/\s+/g, ' ');
    expect(stdout.split('\n')[0]).toBe(`# file: ${file}`);
    expect(line('server.port')).toBe('server.port = 4300 # flag --port');
    expect(line('sessions.idleTimeoutSec')).toBe('sessions.idleTimeoutSec = 900 # env GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC');
    expect(line('sessions.absoluteLifetimeSec')).toBe(`sessions.absoluteLifetimeSec = 7200 # file ${file}`);
    expect(line('tokens.algorithm')).toBe(`tokens.algorithm = "ES256" # file ${file}`);
    expect(line('tokens.accessTtlSec')).toBe('tokens.accessTtlSec = 600 # default');
    expect(line('storage.databaseUrl')).toBe('storage.databaseUrl = "postgres://app:redacted@db.internal:5432/gatehouse" # env DATABASE_URL');
    expect(line('server.metricsToken')).toBe('server.metricsToken = "[redacted]" # env GATEHOUSE_SERVER_METRICS_TOKEN');
    expect(stdout).not.toContain(PASSWORD);
    expect(stdout).not.toContain(TOKEN);
  }, 90_000);

  it('prints JSON with --json, and refuses a broken setting with its code and exit status 1', async () => {
    const { stdout } = await print(['--data-dir', dir.path, '--json']);
    const printed = JSON.parse(stdout) as { file: string; keys: Record<string, { value: unknown; source: string }> };
    expect(printed.keys['sessions.idleTimeoutSec']).toEqual({ value: 600, source: `file ${join(dir.path, 'gatehouse.yaml')}` });
    expect(printed.keys['housekeeping.intervalSec']).toEqual({ value: 600, source: 'default' });

    const refused = await print(['--data-dir', dir.path], { GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC: 'soon' }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain('GH_CORE_CONFIG_INVALID');
    expect(refused?.stderr).toContain('/sessions/idleTimeoutSec');
  }, 90_000);

  it('is what the store commands read too: keys rotate acts on the database the file names', async () => {
    const pg = await createTestPostgres();
    const other = await createTempDir();
    try {
      writeFileSync(join(other.path, 'node.yaml'), `storage:\n  databaseUrl: ${pg.url}\n`);
      const env = { GATEHOUSE_SECRET: 'cli-test-secret-0123456789-abcdefghijklmnop' };
      const { stdout } = await runCliOrThrow(['keys', 'rotate', '--json', '--data-dir', other.path, '--config', join(other.path, 'node.yaml')], {
        env: standaloneEnv(env),
      });
      const rotated = JSON.parse(stdout.trim().split('\n').pop()!) as { current: string };
      const db = createDatabase({ databaseUrl: pg.url, dataDir: other.path });
      try {
        const kids = (await db.db.selectFrom('token_keys').select('kid').execute()).map((r) => r.kid);
        expect(kids).toContain(rotated.current);
      } finally {
        await db.close();
      }
    } finally {
      await pg.drop();
      await other.remove();
    }
  }, 90_000);
});
