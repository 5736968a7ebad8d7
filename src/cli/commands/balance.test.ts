import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request, startTestBackend, type TestBackend } from '../../../test/support/balancer/backends.js';
import { createTempDir } from '../../../test/support/services.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function gatehouse(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
  return { child, output: () => out, exited };
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The admin token `gatehouse balance` made and printed once. */
const tokenOf = (output: string): string => /admin token \(shown once\): (\S+)/.exec(output)?.[1] ?? 'none-printed';

describe('gatehouse balance', () => {
  it('fronts backends from a YAML file, reloads on file change and SIGHUP, stops cleanly', async () => {
    const backends: TestBackend[] = await Promise.all(['b1', 'b2', 'b3'].map((id) => startTestBackend(id)));
    cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
    const dir = await createTempDir();
    cleanups.push(() => dir.remove());
    const file = join(dir.path, 'lb.yaml');
    const write = (ids: TestBackend[], algorithm: string) =>
      writeFile(file, [`algorithm: ${algorithm}`, 'backends:', ...ids.map((b) => `  - 127.0.0.1:${b.port},id=${b.id}`)].join('\n'));
    await write(backends.slice(0, 2), 'round-robin');
    const run = gatehouse(['balance', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    const [port, adminPort] = await until(() => {
      const m = /on 127\.0\.0\.1:(\d+) .*admin on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output());
      return m ? [Number(m[1]), Number(m[2])] : undefined;
    }, 'the balancer to start');
    const ids = new Set<string>();
    for (let i = 0; i < 4; i++) ids.add((await request(port, '/')).headers['x-backend'] as string);
    expect(ids).toEqual(new Set(['b1', 'b2']));

    await write(backends.slice(1), 'least-connections');
    await until(async () => {
      const body = JSON.parse((await request(adminPort, '/backends', { headers: { authorization: `Bearer ${tokenOf(run.output())}` } })).body) as { algorithm: string; backends: { id: string }[] };
      return body.algorithm === 'least-connections' && body.backends.map((b) => b.id).join() === 'b2,b3' ? true : undefined;
    }, 'the file change to apply');

    // A broken edit is refused and the running config stays.
    await writeFile(file, 'algorithm: [');
    run.child.kill('SIGHUP');
    await until(() => (run.output().includes('reload refused') ? true : undefined), 'the refusal');
    expect((await request(port, '/')).status).toBe(200);

    await write(backends.slice(0, 1), 'round-robin');
    run.child.kill('SIGHUP');
    await until(async () => ((await request(port, '/')).headers['x-backend'] === 'b1' && (await request(port, '/')).headers['x-backend'] === 'b1' ? true : undefined), 'SIGHUP reload');

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('--workers 2: two processes on one port, an admin drain reaches both', async () => {
    const backends: TestBackend[] = await Promise.all(['b1', 'b2'].map((id) => startTestBackend(id)));
    cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
    const run = gatehouse(['balance', '--workers', '2', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...backends.flatMap((b) => ['--backend', `127.0.0.1:${b.port},id=${b.id}`])]);
    // Port 0 under cluster: the workers share whatever port the first listen got, printed by worker 1.
    const [port, adminPort] = await until(() => {
      const m = /on 127\.0\.0\.1:(\d+) .*admin on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output());
      return m ? [Number(m[1]), Number(m[2])] : undefined;
    }, 'the workers to start');
    const pids = new Set<string>();
    await until(async () => {
      const res = await request(port, '/');
      expect(res.status).toBe(200);
      pids.add(res.headers['x-backend'] as string);
      return pids.size === 2 ? true : undefined;
    }, 'both backends');
    // Without the token printed at start, nobody on the host may drain a backend.
    expect((await request(adminPort, '/backends/b1/drain', { method: 'POST' })).status).toBe(401);
    expect((await request(adminPort, '/backends/b1/drain', { method: 'POST', headers: { authorization: `Bearer ${tokenOf(run.output())}` } })).status).toBe(202);
    // Relayed over IPC: once it lands, 20 connections in a row (spread over both workers) avoid b1.
    await until(async () => {
      for (let i = 0; i < 20; i++) if ((await request(port, '/')).headers['x-backend'] !== 'b2') return undefined;
      return true;
    }, 'the drain in both workers');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses bad flags with a clear message', async () => {
    const unknown = gatehouse(['balance', '--backend', '127.0.0.1:1', '--algorithm', 'fastest']);
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toContain('GH_BALANCER_CONFIG_INVALID');
    const none = gatehouse(['balance', '--listen', '127.0.0.1:0']);
    expect(await none.exited).toBe(1);
    expect(none.output()).toContain('No backends');
    const typo = gatehouse(['balance', '--bakend', 'x']);
    expect(await typo.exited).toBe(2);
  });
});
