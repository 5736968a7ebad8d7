// `gatehouse serve` as a real process — it starts on the given port and data
// directory, and on SIGTERM lets the request in flight finish before it exits 0.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/app.js';
import { standaloneEnv, startCli } from './support/cli.js';
import { createTempDir } from './support/services.js';
import { until } from './support/wait.js';

describe('gatehouse serve', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('serves on --port with its store in --data-dir and drains in-flight requests on SIGTERM', async () => {
    const dir = await createTempDir();
    cleanups.push(dir.remove);
    const port = await freePort();
    const serve = startCli(['serve', '--port', String(port), '--data-dir', dir.path], { env: standaloneEnv({ LOG_LEVEL: 'warn', GATEHOUSE_SECRET: undefined }) });
    cleanups.push(async () => serve.kill());

    const base = `http://127.0.0.1:${port}`;
    // One kept-alive connection, so the in-flight request below is on a connection the server accepted.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await until(async () => (await send(agent, port, 'GET', '/healthz')).status === 200, () => `serve to start:\n${serve.output()}`, { timeoutMs: 60_000 });
    // The store and the generated instance secret live in the data directory.
    expect(existsSync(join(dir.path, 'gatehouse.db'))).toBe(true);
    expect(existsSync(join(dir.path, 'secret'))).toBe(true);

    // A login hashes a password (tens of ms): SIGTERM lands while it is in flight on an open connection.
    const inFlight = send(agent, port, 'POST', '/api/auth/session/login', JSON.stringify({ email: 'nobody@example.test', password: 'a password that is wrong' }));
    await new Promise((r) => setTimeout(r, 15));
    serve.child.kill('SIGTERM');
    const response = await inFlight;
    expect([401, 503]).toContain(response.status);
    expect((await serve.exited).code).toBe(0);
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
