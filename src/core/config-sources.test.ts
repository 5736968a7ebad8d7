import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/support/services.js';
import { CONFIG_FILE, configKeys, envNameOf, layerOf, redactValue, resolveNodeConfig, SHORT_ENV } from './config-sources.js';
import { isGatehouseError } from './errors.js';

describe('configuration sources', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const dataDir = async (yaml?: string) => {
    const dir = await createTempDir();
    cleanups.push(dir.remove);
    if (yaml !== undefined) writeFileSync(join(dir.path, CONFIG_FILE), yaml);
    return dir.path;
  };

  it('derives one distinct GATEHOUSE_ variable from every key path', () => {
    const keys = configKeys();
    expect(keys.length).toBeGreaterThan(60);
    expect(envNameOf('sessions.idleTimeoutSec')).toBe('GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC');
    expect(envNameOf('passwords.memoryCostKiB')).toBe('GATEHOUSE_PASSWORDS_MEMORY_COST_KIB');
    const names = keys.map((k) => k.env);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^GATEHOUSE_[A-Z0-9_]+$/);
    // Every short name points at a real key.
    const paths = new Set(keys.map((k) => k.path));
    expect(Object.values(SHORT_ENV).filter((p) => !paths.has(p))).toEqual([]);
  });

  it('sets keys the old environment never reached: session timeouts, token algorithm, trustProxy, lists', async () => {
    const dir = await dataDir();
    const { config, sources } = resolveNodeConfig({
      env: {
        GATEHOUSE_SERVER_DATA_DIR: dir,
        GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC: '900',
        GATEHOUSE_SESSIONS_ABSOLUTE_LIFETIME_SEC: '3600',
        GATEHOUSE_TOKENS_ALGORITHM: 'ES256',
        GATEHOUSE_SERVER_TRUST_PROXY: '10.0.0.1,10.0.0.2',
        GATEHOUSE_COOKIES_SECURE: 'true',
        GATEHOUSE_OAUTH_DYNAMIC_REGISTRATION: '1',
        GATEHOUSE_FEDERATION_PROVIDERS: JSON.stringify([{ id: 'google', clientId: 'cid' }]),
      },
    });
    expect(config.sessions).toMatchObject({ idleTimeoutSec: 900, absoluteLifetimeSec: 3600 });
    expect(config.tokens.algorithm).toBe('ES256');
    expect(config.server.trustProxy).toBe('10.0.0.1,10.0.0.2');
    expect(config.cookies.secure).toBe(true);
    expect(config.oauth.dynamicRegistration).toBe(true);
    expect(config.federation.providers).toEqual([{ id: 'google', clientId: 'cid' }]);
    expect(sources['sessions.idleTimeoutSec']).toBe('env GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC');
    expect(sources['passwords.timeCost']).toBe('default');
  });

  it('keeps the short names of the interface contract, a derived name beating a short one', async () => {
    const dir = await dataDir();
    const { config, sources } = resolveNodeConfig({
      env: { GATEHOUSE_DATA_DIR: dir, DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r', GATEHOUSE_PUBLIC_URL: 'https://a.example', PORT: '4000', GATEHOUSE_SERVER_PORT: '4001' },
    });
    expect(config.storage).toMatchObject({ databaseUrl: 'postgres://db/x', redisUrl: 'redis://r' });
    expect(config.server.publicUrl).toBe('https://a.example');
    expect(config.server.port).toBe(4001);
    expect(sources['server.port']).toBe('env GATEHOUSE_SERVER_PORT');
    expect(sources['storage.databaseUrl']).toBe('env DATABASE_URL');
  });

  it('layers defaults < file < environment < flags, naming the source of each key', async () => {
    const dir = await dataDir('server:\n  port: 4100\n  host: 0.0.0.0\nsessions:\n  idleTimeoutSec: 600\n  absoluteLifetimeSec: 7200\ntokens:\n  algorithm: RS256\n');
    const { config, sources, file } = resolveNodeConfig({
      env: { GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SERVER_PORT: '4200', GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC: '900' },
      flags: layerOf({ server: { port: 4300 } }, () => 'flag --port'),
    });
    expect(file).toBe(join(dir, CONFIG_FILE));
    expect(config.server.port).toBe(4300); // flag over env over file
    expect(sources['server.port']).toBe('flag --port');
    expect(config.sessions.idleTimeoutSec).toBe(900); // env over file
    expect(sources['sessions.idleTimeoutSec']).toBe('env GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC');
    expect(config.sessions.absoluteLifetimeSec).toBe(7200); // file over default
    expect(sources['sessions.absoluteLifetimeSec']).toBe(`file ${file}`);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.tokens.algorithm).toBe('RS256');
    expect(sources['tokens.accessTtlSec']).toBe('default');
  });

  it('reads --config FILE instead of the data directory\'s, and refuses a missing or broken one by name', async () => {
    const dir = await dataDir('sessions:\n  idleTimeoutSec: 600\n');
    const other = join(await dataDir(), 'node.yaml');
    writeFileSync(other, 'sessions:\n  idleTimeoutSec: 700\n');
    expect(resolveNodeConfig({ env: { GATEHOUSE_DATA_DIR: dir }, file: other }).config.sessions.idleTimeoutSec).toBe(700);

    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return isGatehouseError(error) ? `${error.code}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refused(() => resolveNodeConfig({ env: {}, file: join(dir, 'nope.yaml') }))).toMatch(/^GH_CORE_CONFIG_INVALID: The config file .*nope\.yaml cannot be read/);
    writeFileSync(other, '- a list\n- not sections\n');
    expect(refused(() => resolveNodeConfig({ env: {}, file: other }))).toMatch(/^GH_CORE_CONFIG_INVALID: .*must hold a mapping/);
    writeFileSync(other, 'sessions:\n  idleTimeoutSeconds: 5\n');
    expect(refused(() => resolveNodeConfig({ env: {}, file: other }))).toMatch(/^GH_CORE_CONFIG_INVALID: .*sessions/);
    expect(refused(() => resolveNodeConfig({ env: { GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC: 'soon' } }))).toMatch(/^GH_CORE_CONFIG_INVALID: .*\/sessions\/idleTimeoutSec/);
    expect(refused(() => resolveNodeConfig({ env: { GATEHOUSE_DATA_DIR: dir, GATEHOUSE_FEDERATION_PROVIDERS: '[oops' } }))).toBe('GH_CORE_CONFIG_INVALID: GATEHOUSE_FEDERATION_PROVIDERS is not valid JSON.');
  });

  it('redacts secrets: tokens whole, URL passwords and queries, provider client secrets', () => {
    const byPath = new Map(configKeys().map((k) => [k.path, k.schema]));
    expect(redactValue(byPath.get('server.metricsToken')!, 'a-very-secret-token')).toBe('[redacted]');
    expect(redactValue(byPath.get('oauth.initialAccessToken')!, 'x'.repeat(40))).toBe('[redacted]');
    expect(redactValue(byPath.get('storage.databaseUrl')!, 'postgres://app:hunter2@db:5432/gh?sslpassword=pw')).toBe('postgres://app:redacted@db:5432/gh?redacted');
    expect(redactValue(byPath.get('mail.smtpUrl')!, 'smtps://mailer:pw@smtp.example')).toBe('smtps://mailer:redacted@smtp.example');
    expect(redactValue(byPath.get('federation.providers')!, [{ id: 'google', clientId: 'cid', clientSecret: 'shh' }])).toEqual([{ id: 'google', clientId: 'cid', clientSecret: '[redacted]' }]);
    expect(redactValue(byPath.get('server.port')!, 3000)).toBe(3000);
  });
});
