import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCliOrThrow } from '../support/cli.js';
import { createTempDir } from '../support/services.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const gatehouse = runCliOrThrow;
/** A checker of the exported config (haproxy -c, nginx -t); rejects unless it accepts. */
const run = promisify(execFile);

describe('gatehouse balance export', () => {
  it('writes a HAProxy config from flags that haproxy -c accepts', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.remove());
    const out = join(dir.path, 'haproxy.cfg');
    await gatehouse(['balance', 'export', '--format', 'haproxy', '--listen', '127.0.0.1:18600', '--backend', '127.0.0.1:18601,weight=2', '--backend', '127.0.0.1:18602', '--algorithm', 'least-connections', '--health-check', '/healthz', '--out', out]);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('  balance leastconn\n');
    expect(text).toContain('weight 2 check');
    await run('haproxy', ['-c', '-q', '-f', out]);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('reads a YAML config and prints an nginx stream config to stdout', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.remove());
    const yaml = join(dir.path, 'lb.yaml');
    await writeFile(yaml, 'mode: tcp\nlisten: 127.0.0.1:18700\nalgorithm: consistent-hash\nhashKey: ip\nproxyProtocol: v1\nbackends:\n  - 127.0.0.1:18701\n  - 127.0.0.1:18702\n');
    const { stdout } = await gatehouse(['balance', 'export', '--format', 'nginx', '--config', yaml, '--runtime-dir', dir.path]);
    expect(stdout).toContain('stream {');
    expect(stdout).toContain('hash $remote_addr consistent;');
    expect(stdout).toContain('proxy_protocol on;');
    const file = join(dir.path, 'nginx.conf');
    await writeFile(file, stdout);
    await run('nginx', ['-t', '-q', '-e', join(dir.path, 'error.log'), '-c', file]);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('refuses a missing or unknown format with usage (exit 2)', async () => {
    await expect(gatehouse(['balance', 'export', '--format', 'caddy', '--backend', '127.0.0.1:1'])).rejects.toMatchObject({ code: 2 });
    await expect(gatehouse(['balance', 'export', '--format', 'haproxy', '--mode', 'udp', '--backend', '127.0.0.1:1'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('GH_BALANCER_EXPORT_UNSUPPORTED') });
  }, PROCESS_TEST_TIMEOUT_MS);
});
