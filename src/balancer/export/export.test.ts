import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../../../test/support/services.js';
import { parseBalancerConfig } from '../config.js';
import { ALGORITHM_NAMES } from '../types.js';
import { exportConfig } from './index.js';

const run = promisify(execFile);
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';
const base = { listen: '127.0.0.1:18500', backends: ['127.0.0.1:18501,weight=3', '127.0.0.1:18502,id=b2', '127.0.0.1:18503,weight=0'] };

describe('balance export: mapping', () => {
  const text = (format: string, extra: Record<string, unknown>) => exportConfig(parseBalancerConfig({ ...base, ...extra }), format, { nginxModules: [STREAM_MODULE] });

  it.each([
    ['round-robin', 'ip', 'balance roundrobin', null],
    ['weighted-round-robin', 'ip', 'balance roundrobin', null],
    ['least-connections', 'ip', 'balance leastconn', 'least_conn;'],
    ['ip-hash', 'ip', 'balance source', 'hash $remote_addr;'],
    ['consistent-hash', 'ip', 'balance source', 'hash $remote_addr consistent;'],
    ['consistent-hash', 'path', 'balance uri path-only', 'hash $uri consistent;'],
    ['consistent-hash', 'header:X-User-Id', 'balance hdr(X-User-Id)', 'hash $http_x_user_id consistent;'],
    ['consistent-hash', 'cookie:sid', 'balance hash req.cook(sid)', 'hash $cookie_sid consistent;'],
    ['random-two', 'ip', 'balance random(2)', 'random two least_conn;'],
    ['least-latency', 'ip', 'balance leastconn', 'least_conn;'],
  ])('%s (key %s) → HAProxy "%s", nginx %s', (algorithm, hashKey, haproxyLine, nginxLine) => {
    const h = text('haproxy', { algorithm, hashKey });
    const n = text('nginx', { algorithm, hashKey });
    expect(h).toContain(`  ${haproxyLine}\n`);
    if (nginxLine) expect(n).toContain(`    ${nginxLine}\n`);
    else expect(n).not.toMatch(/^\s+(least_conn|hash |random )/m);
    if (algorithm === 'consistent-hash') expect(h).toContain('hash-type consistent');
    if (algorithm === 'least-latency') {
      expect(h).toMatch(/# note: HAProxy has no latency-based/);
      expect(n).toMatch(/# note: nginx open source has no latency-based/);
    }
  });

  it('writes weights only for weighted algorithms, and a weight of 0 as down for nginx', () => {
    expect(text('haproxy', { algorithm: 'round-robin' })).not.toContain('weight');
    expect(text('haproxy', { algorithm: 'weighted-round-robin' })).toContain('server 127.0.0.1:18501 127.0.0.1:18501 weight 3');
    const n = text('nginx', { algorithm: 'weighted-round-robin' });
    expect(n).toContain('server 127.0.0.1:18501 weight=3');
    expect(n).toContain('server 127.0.0.1:18503 down');
  });

  it('scales weights above HAProxy\'s 256 limit, keeping the ratios, and keeps server names unique', () => {
    const config = parseBalancerConfig({ listen: '127.0.0.1:1', algorithm: 'weighted-round-robin', backends: [{ address: '127.0.0.1:2', weight: 1000, id: 'a b' }, { address: '127.0.0.1:3', weight: 500, id: 'a_b' }] });
    const h = exportConfig(config, 'haproxy');
    expect(h).toContain('server a_b 127.0.0.1:2 weight 256');
    expect(h).toContain('server a_b-2 127.0.0.1:3 weight 128');
    expect(exportConfig(config, 'nginx')).toContain('server 127.0.0.1:2 weight=1000');
  });

  it('refuses a host that would inject config syntax', () => {
    const config = parseBalancerConfig({ listen: '127.0.0.1:1', backends: [{ host: 'a;b', port: 2 }] });
    expect(() => exportConfig(config, 'nginx')).toThrow(expect.objectContaining({ code: 'GH_BALANCER_EXPORT_UNSUPPORTED' }));
    expect(() => exportConfig(config, 'haproxy')).toThrow(expect.objectContaining({ code: 'GH_BALANCER_EXPORT_UNSUPPORTED' }));
  });

  it('maps health checks, passive ejection, slow start, timeouts and PROXY protocol', () => {
    const extra = { mode: 'tcp', healthCheck: { path: '/healthz', interval: '2s', timeout: '1s', rise: 2, fall: 3 }, proxyProtocol: 'v2', acceptProxyProtocol: true, slowStart: '10s', timeouts: { connect: '3s', idle: '2m' } };
    const h = text('haproxy', extra);
    expect(h).toContain('  mode tcp\n');
    expect(h).toContain('http-check send meth GET uri /healthz');
    expect(h).toMatch(/default-server inter 2000ms rise 2 fall 3 observe layer4 error-limit 3 on-error mark-down slowstart 10000ms send-proxy-v2 check-send-proxy/);
    expect(h).toContain('bind 127.0.0.1:18500 accept-proxy');
    expect(h).toContain('timeout connect 3000ms');
    expect(h).toContain('timeout client 120000ms');
    const n = text('nginx', extra);
    expect(n).toContain('listen 127.0.0.1:18500 proxy_protocol;');
    expect(n).toContain('proxy_protocol on;');
    expect(n).toMatch(/# note: nginx sends PROXY protocol v1 only/);
    expect(n).toMatch(/# note: nginx open source has no active health checks/);
    expect(n).toContain('max_fails=3 fail_timeout=10s');
  });

  it('refuses UDP for HAProxy, and unknown formats, with a coded error', () => {
    expect(() => text('haproxy', { mode: 'udp' })).toThrow(expect.objectContaining({ code: 'GH_BALANCER_EXPORT_UNSUPPORTED' }));
    expect(() => text('caddy', {})).toThrow(expect.objectContaining({ code: 'GH_BALANCER_EXPORT_UNSUPPORTED' }));
    expect(text('nginx', { mode: 'udp' })).toContain('listen 127.0.0.1:18500 udp;');
  });
});

describe('balance export: every combination is accepted by haproxy -c and nginx -t', () => {
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  beforeAll(async () => {
    dir = await createTempDir('gh-export-');
  });
  afterAll(async () => dir.remove());

  const cases = (['http', 'tcp', 'udp'] as const).flatMap((mode) =>
    ALGORITHM_NAMES.flatMap((algorithm) =>
      (algorithm === 'consistent-hash' ? ['ip', 'path', 'header:X-User', 'cookie:sid'] : ['ip']).flatMap((hashKey) =>
        (['haproxy', 'nginx'] as const).filter((f) => !(f === 'haproxy' && mode === 'udp')).map((format) => ({ mode, algorithm, hashKey, format })),
      ),
    ),
  );

  it(`validates ${cases.length} generated configs`, async () => {
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      const config = parseBalancerConfig({
        ...base,
        mode: c.mode,
        algorithm: c.algorithm,
        hashKey: c.hashKey,
        healthCheck: c.mode === 'udp' ? null : { path: '/healthz', interval: '1s', timeout: '500ms' },
        ...(c.mode === 'udp' ? {} : { proxyProtocol: i % 2 ? 'v1' : 'v2', acceptProxyProtocol: true }),
      });
      const file = join(dir.path, `${i}.conf`);
      await writeFile(file, exportConfig(config, c.format, { runtimeDir: dir.path, nginxModules: c.mode === 'http' ? [] : [STREAM_MODULE] }));
      try {
        if (c.format === 'haproxy') await run('haproxy', ['-c', '-q', '-f', file]);
        else await run('nginx', ['-t', '-q', '-e', join(dir.path, 'error.log'), '-c', file]);
      } catch (error) {
        failures.push(`${c.format} ${c.mode} ${c.algorithm} ${c.hashKey}: ${String((error as { stderr?: string }).stderr).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
