import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request, startTestBackend, type TestBackend } from '../support/balancer/backends.js';
import { PROCESS_TEST_TIMEOUT_MS, startCli, type CliProcess } from '../support/cli.js';
import { createTempDir } from '../support/services.js';
import { until } from '../support/wait.js';

// Each test starts real processes (tsx compiling the CLI, cluster workers): slow on a loaded machine.
// Every wait is on printed output or a condition; these bounds only guard against a hang.
const START_GUARD_MS = 90_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const gatehouse = (args: string[]): CliProcess => {
  const run = startCli(args);
  cleanups.push(run.kill);
  return run;
};

/** The ports `gatehouse balance` printed once it listens. */
const listening = async (run: CliProcess): Promise<[number, number]> => {
  const m = await run.printed(/on 127\.0\.0\.1:(\d+) .*admin on http:\/\/127\.0\.0\.1:(\d+)/, { timeoutMs: START_GUARD_MS });
  return [Number(m[1]), Number(m[2])];
};

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
    const [port, adminPort] = await listening(run);
    const ids = new Set<string>();
    for (let i = 0; i < 4; i++) ids.add((await request(port, '/')).headers['x-backend'] as string);
    expect(ids).toEqual(new Set(['b1', 'b2']));

    await write(backends.slice(1), 'least-connections');
    await until(async () => {
      const body = JSON.parse((await request(adminPort, '/backends', { headers: { authorization: `Bearer ${tokenOf(run.output())}` } })).body) as { algorithm: string; backends: { id: string }[] };
      return body.algorithm === 'least-connections' && body.backends.map((b) => b.id).join() === 'b2,b3';
    }, 'the file change to apply');

    // A broken edit is refused and the running config stays.
    await writeFile(file, 'algorithm: [');
    run.child.kill('SIGHUP');
    await run.printed('reload refused');
    expect((await request(port, '/')).status).toBe(200);

    await write(backends.slice(0, 1), 'round-robin');
    run.child.kill('SIGHUP');
    await until(async () => ((await request(port, '/')).headers['x-backend'] === 'b1' && (await request(port, '/')).headers['x-backend'] === 'b1'), 'SIGHUP reload');

    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('--workers 2: two processes on one port, an admin drain reaches both and a replaced worker', async () => {
    const backends: TestBackend[] = await Promise.all(['b1', 'b2'].map((id) => startTestBackend(id)));
    cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
    const run = gatehouse(['balance', '--workers', '2', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...backends.flatMap((b) => ['--backend', `127.0.0.1:${b.port},id=${b.id}`])]);
    // Port 0 under cluster: the workers share whatever port the first listen got, printed by worker 1.
    const [port, adminPort] = await listening(run);
    const pids = new Set<string>();
    await until(async () => {
      const res = await request(port, '/');
      expect(res.status).toBe(200);
      pids.add(res.headers['x-backend'] as string);
      return pids.size === 2;
    }, 'both backends');
    // Without the token printed at start, nobody on the host may drain a backend.
    expect((await request(adminPort, '/backends/b1/drain', { method: 'POST' })).status).toBe(401);
    expect((await request(adminPort, '/backends/b1/drain', { method: 'POST', headers: { authorization: `Bearer ${tokenOf(run.output())}` } })).status).toBe(202);
    // Relayed over IPC: each worker logs the state change when the drain lands in it, so wait for that
    // line from two different processes (the second pid may not repeat the first)…
    const drained = await run.printed(/"pid":(\d+),[^\n]*"backend":"b1","from":"up","to":"draining"[\s\S]*"pid":((?!\1,)\d+),[^\n]*"backend":"b1","from":"up","to":"draining"/, { timeoutMs: START_GUARD_MS });
    // …after which no connection, whichever worker takes it, reaches b1.
    for (let i = 0; i < 20; i++) expect((await request(port, '/')).headers['x-backend']).toBe('b2');
    // A worker that dies is replaced, and the replacement starts from every admin change made so far
    // (the supervisor replays them once it is ready), not from the config file's state. Worker 1 logs
    // the drain before it relays it, so the second pid is worker 2's.
    const [first, second] = [drained[1], drained[2]];
    process.kill(Number(second), 'SIGKILL');
    await run.printed(new RegExp(`"pid":(?!${first},|${second},)\\d+,[^\\n]*"backend":"b1","from":"up","to":"draining"`), { timeoutMs: START_GUARD_MS });
    for (let i = 0; i < 20; i++) expect((await request(port, '/')).headers['x-backend']).toBe('b2');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('refuses bad flags with a clear message', async () => {
    const unknown = gatehouse(['balance', '--backend', '127.0.0.1:1', '--algorithm', 'fastest']);
    expect((await unknown.exited).code).toBe(1);
    expect(unknown.output()).toContain('GH_BALANCER_CONFIG_INVALID');
    const none = gatehouse(['balance', '--listen', '127.0.0.1:0']);
    expect((await none.exited).code).toBe(1);
    expect(none.output()).toContain('No backends');
    const typo = gatehouse(['balance', '--bakend', 'x']);
    expect((await typo.exited).code).toBe(2);
  }, PROCESS_TEST_TIMEOUT_MS);
});
