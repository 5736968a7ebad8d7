import { describe, expect, it } from 'vitest';
import { loadConfig, publicOrigin } from './config.js';
import { configFromEnv } from './config-sources.js';

describe('config', () => {
  it('fills every default', () => {
    const { config } = loadConfig();
    expect(config.sessions.idleTimeoutSec).toBe(1800);
    expect(config.sessions.absoluteLifetimeSec).toBe(604_800);
    expect(config.tokens.accessTtlSec).toBe(600);
    expect(config.passwords.memoryCostKiB).toBe(19_456);
    expect(config.server.dataDir).toBe('./.gatehouse');
  });

  it('reads the contract environment variables', () => {
    const { config } = loadConfig(configFromEnv({ PORT: '4000', DATABASE_URL: 'postgres://x/y', REDIS_URL: 'redis://r', GATEHOUSE_PUBLIC_URL: 'https://a.example/' }));
    expect(config.server.port).toBe(4000);
    expect(config.storage.databaseUrl).toBe('postgres://x/y');
    expect(config.storage.redisUrl).toBe('redis://r');
    expect(publicOrigin(config)).toBe('https://a.example');
  });

  it('refuses an access token that outlives its refresh family', () => {
    expect(() => loadConfig({ tokens: { accessTtlSec: 7200, refreshIdleSec: 3600, refreshAbsoluteSec: 86_400 } })).toThrow(/outlive/);
  });

  it('refuses an idle timeout longer than the absolute lifetime', () => {
    expect(() => loadConfig({ sessions: { idleTimeoutSec: 100, absoluteLifetimeSec: 50 } })).toThrow(/GH_CORE|absoluteLifetime/);
  });

  it('names the field of an invalid value', () => {
    expect(() => loadConfig({ server: { port: 70_000 } })).toThrow(/\/server\/port/);
  });

  it('warns once per insecure setting', () => {
    expect(loadConfig({ cookies: { secure: false } }).warnings).toHaveLength(1);
  });
});
