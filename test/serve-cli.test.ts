// `gatehouse serve` as a real process — it starts on the given port and data
// directory, and on SIGTERM lets the request in flight finish before it exits 0.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/app.js';
import { createTempDir } from './support/services.js';

describe('gatehouse serve', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('serves on --port with its store in --data-dir and drains in-flight requests on SIGTERM', async () => {
    const dir = await createTempDir();
    cleanups.push(dir.remove);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.GATEHOUSE_SECRET;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(port), '--data-dir', dir.path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => void (child.exitCode === null && child.kill('SIGKILL')));

    const base = `http://127.0.0.1:${port}`;
    // One kept-alive connection, so the in-flight request below is on a connection the server accepted.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await send(agent, port, 'GET', '/healthz').then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The store and the generated instance secret live in the data directory.
    expect(existsSync(join(dir.path, 'gatehouse.db'))).toBe(true);
    expect(existsSync(join(dir.path, 'secret'))).toBe(true);

    // A login hashes a password (tens of ms): SIGTERM lands while it is in flight on an open connection.
    const inFlight = send(agent, port, 'POST', '/api/auth/session/login', JSON.stringify({ email: 'nobody@example.test', password: 'a password that is wrong' }));
    await new Promise((r) => setTimeout(r, 15));
    child.kill('SIGTERM');
    const response = await inFlight;
    expect([401, 503]).toContain(response.status);
    expect(await exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    agent.destroy();
  }, 90_000);
});

function send(agent: http.Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
