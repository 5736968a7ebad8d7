import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/support/services.js';
import { DEFAULT_CONFIG, parseBalancerConfig, resolveBalancerConfig } from './config.js';
import { BALANCER_FLAGS, BalancerFileSchema } from './config-schema.js';

interface Node {
  default?: unknown;
  properties?: Record<string, Node>;
  anyOf?: Node[];
}

/** Every key of the balancer schema (sections and healthCheck's mapping flattened), with its default. */
function keys(): { path: string; default: unknown }[] {
  const root = BalancerFileSchema as unknown as Node;
  return Object.entries(root.properties ?? {}).flatMap(([key, node]) => {
    const nested = node.properties ?? node.anyOf?.find((n) => n.properties)?.properties;
    const own = node.properties ? [] : [{ path: key, default: node.default }];
    return [...own, ...Object.entries(nested ?? {}).map(([inner, leaf]) => ({ path: `${key}.${inner}`, default: leaf.default }))];
  });
}

describe('the balancer config schema', () => {
  const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8').split('\n# Load balancer')[1] ?? '';
  const rows = new Map(
    page
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => [/^\| `([^`]+)`/.exec(line)![1]!, line] as const),
  );

  it('is documented key by key in docs/configuration.md with its current default (run npm run docs:config)', () => {
    expect(keys().length).toBeGreaterThan(35);
    expect(keys().filter((k) => !rows.has(k.path)).map((k) => k.path)).toEqual([]);
    const stale = keys()
      .filter((k) => k.default !== undefined)
      .filter((k) => {
        const shown = /^\| `[^`]+` \| (?:[^|]|\\\|)* \| `([^`]+)`/.exec(rows.get(k.path) ?? '')?.[1];
        return shown === undefined || JSON.stringify(JSON.parse(shown.replace(/_/g, ''))) !== JSON.stringify(k.default);
      })
      .map((k) => k.path);
    expect(stale).toEqual([]);
  });

  it('holds the defaults the balancer runs with', () => {
    expect(DEFAULT_CONFIG).toMatchObject({
      listen: { host: '127.0.0.1', port: 8080 },
      admin: { host: '127.0.0.1', port: 9090 },
      passive: { maxFailures: 3, ejectMs: 10_000, failurePercent: 50, minRequests: 20, windowMs: 10_000, maxEjectionPercent: 50 },
      retryBudget: { percent: 20, minPerSecond: 10 },
      timeouts: { connectMs: 3_000, shutdownMs: 10_000 },
      limits: { maxHeaderBytes: 16 * 1024 },
    });
  });

  it('names the key and what it must be when a value is wrong', () => {
    expect(() => parseBalancerConfig({ timeouts: { connect: 'soon' } })).toThrow(/timeouts\.connect must be a duration/);
    expect(() => parseBalancerConfig({ passive: { failurePercent: 150 } })).toThrow(/passive\.failurePercent must be an integer 0-100/);
    expect(() => parseBalancerConfig({ timeouts: { conect: '1s' } })).toThrow(/Unknown config key at timeouts/);
  });

  it('lays flags over the file the same way for balance and balance export: key by key, keeping the rest', async () => {
    const dir = await createTempDir();
    try {
      const file = join(dir.path, 'lb.yaml');
      await writeFile(file, 'listen: 127.0.0.1:7000\nworkers: 3\nhealthCheck: { path: /old, interval: 5s, rise: 4 }\nbackends: [127.0.0.1:7001]\n');
      const config = await resolveBalancerConfig(file, { 'health-check': '/new', workers: '2', admin: 'off', backend: ['127.0.0.1:7002'] }, {});
      expect(config.listen).toEqual({ host: '127.0.0.1', port: 7000 });
      expect(config.healthCheck).toEqual({ path: '/new', intervalMs: 5_000, timeoutMs: 1_000, rise: 4, fall: 3 });
      expect(config.workers).toBe(2);
      expect(config.admin).toBeNull();
      expect(config.backends).toEqual([{ host: '127.0.0.1', port: 7002 }]);
      const withToken = await resolveBalancerConfig(undefined, { admin: '0.0.0.0:9999', backend: ['127.0.0.1:1'] }, { GATEHOUSE_ADMIN_TOKEN: 't'.repeat(32) });
      expect(withToken.admin).toEqual({ host: '0.0.0.0', port: 9999, token: 't'.repeat(32) });
      expect(Object.keys(BALANCER_FLAGS)).toContain('health-check');
    } finally {
      await dir.remove();
    }
  });
});
