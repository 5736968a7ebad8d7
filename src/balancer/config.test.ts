import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/support/services.js';
import { DEFAULT_CONFIG, loadConfigFile, parseBackend, parseBalancerConfig, parseDuration, parseHostPort } from './config.js';

const invalid = { code: 'GH_BALANCER_CONFIG_INVALID' };

describe('balancer config', () => {
  it('parses flags-style values', () => {
    expect(parseHostPort('0.0.0.0:8080', 'listen')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseHostPort(':9000', 'listen')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseHostPort('[::1]:81', 'listen')).toEqual({ host: '::1', port: 81 });
    expect(parseBackend('10.0.0.5:3001,weight=5')).toEqual({ host: '10.0.0.5', port: 3001, weight: 5 });
    expect(parseBackend('app:3002,id=two')).toEqual({ host: 'app', port: 3002, id: 'two' });
    expect(parseDuration('2s', 'x')).toBe(2000);
    expect(parseDuration('1m', 'x')).toBe(60_000);
    expect(parseDuration(250, 'x')).toBe(250);
  });

  it('refuses bad values with a coded error', () => {
    expect(() => parseHostPort('nope', 'listen')).toThrow(expect.objectContaining(invalid));
    expect(() => parseBackend('h:1,weight=-1')).toThrow(expect.objectContaining(invalid));
    expect(() => parseBackend('h:99999')).toThrow(expect.objectContaining(invalid));
    expect(() => parseBalancerConfig({ algorithm: 'fastest' })).toThrow(expect.objectContaining(invalid));
    expect(() => parseBalancerConfig({ lissen: ':80' })).toThrow(expect.objectContaining(invalid));
    expect(() => parseBalancerConfig({ backends: ['a:1', 'a:1'] })).toThrow(expect.objectContaining(invalid));
    expect(() => parseBalancerConfig({ healthCheck: { path: '/h', interval: '1s', timeout: '2s' } })).toThrow(expect.objectContaining(invalid));
    expect(() => parseBalancerConfig({ admin: '0.0.0.0:9090' })).toThrow(expect.objectContaining(invalid));
    expect(() => parseBalancerConfig({ hashKey: 'header:' })).toThrow(expect.objectContaining(invalid));
    expect(() => parseBalancerConfig('just a string')).toThrow(expect.objectContaining(invalid));
  });

  it('loads YAML over the defaults', async () => {
    const dir = await createTempDir();
    const file = join(dir.path, 'lb.yaml');
    await writeFile(
      file,
      [
        'listen: 0.0.0.0:8080',
        'algorithm: consistent-hash',
        'hashKey: cookie:uid',
        'backends:',
        '  - 127.0.0.1:3001,weight=3',
        '  - { host: 127.0.0.1, port: 3002, weight: 1, id: second }',
        'healthCheck: { path: /healthz, interval: 2s, timeout: 500ms, rise: 2, fall: 3 }',
        'passive: { maxFailures: 5, eject: 30s }',
        'timeouts: { connect: 1s, idle: 2m }',
      ].join('\n'),
    );
    const config = await loadConfigFile(file);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.algorithm).toBe('consistent-hash');
    expect(config.backends).toEqual([{ host: '127.0.0.1', port: 3001, weight: 3 }, { host: '127.0.0.1', port: 3002, weight: 1, id: 'second' }]);
    expect(config.healthCheck).toEqual({ path: '/healthz', intervalMs: 2000, timeoutMs: 500, rise: 2, fall: 3 });
    expect(config.passive).toMatchObject({ maxFailures: 5, ejectMs: 30_000 });
    expect(config.timeouts.connectMs).toBe(1000);
    expect(config.timeouts.idleMs).toBe(120_000);
    expect(config.timeouts.responseMs).toBe(DEFAULT_CONFIG.timeouts.responseMs);
    await writeFile(file, 'listen: [unclosed');
    await expect(loadConfigFile(file)).rejects.toMatchObject(invalid);
    await expect(loadConfigFile(join(dir.path, 'missing.yaml'))).rejects.toMatchObject(invalid);
    await dir.remove();
  });
});
