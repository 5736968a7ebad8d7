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

    // SIGTERM lands while a login is in flight on an open connection. "In flight" is made certain, not
    // timed: the request asks `Expect: 100-continue`, so the server's 100 proves it has read the head;
    // only then does the signal go, and only then the body.
    const inFlight = startRequest(agent, port, 'POST', '/api/auth/session/login', JSON.stringify({ email: 'nobody@example.test', password: 'a password that is wrong' }));
    await inFlight.headRead;
    serve.child.kill('SIGTERM');
    inFlight.sendBody();
    const response = await inFlight.response;
    expect([401, 503]).toContain(response.status);
    expect((await serve.exited).code).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    agent.destroy();
  }, 90_000);

  it('loses no request log line when stopped with SIGTERM (the log is written asynchronously)', async () => {
    const dir = await createTempDir();
    cleanups.push(dir.remove);
    const port = await freePort();
    const serve = startCli(['serve', '--port', String(port), '--data-dir', dir.path], { env: standaloneEnv({ LOG_LEVEL: 'info', GATEHOUSE_SECRET: undefined }) });
    cleanups.push(async () => serve.kill());
    const base = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200, () => `serve to start:\n${serve.output()}`, { timeoutMs: 60_000 });

    // pino's default destination writes asynchronously (lines queue while a write is under way) and is
    // flushed when the process exits; a stop that skipped that flush would lose the last lines.
    const probes = Array.from({ length: 8 }, (_, i) => `probe-${i}`);
    for (const probe of probes) expect((await fetch(`${base}/healthz?${probe}`)).status).toBe(200);
    serve.child.kill('SIGTERM');
    const run = await serve.exited;
    expect(run.code).toBe(0);

    const lines = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg?: string; req?: { url?: string } });
    const logged = lines.filter((line) => line.msg === 'request completed').map((line) => line.req?.url);
    for (const probe of probes) expect(logged).toContain(`/healthz?${probe}`);
    expect(lines.some((line) => line.msg === 'shutting down')).toBe(true);
  }, 90_000);
});

/** A request whose body waits until the server has answered `100 Continue` to its head. */
function startRequest(agent: http.Agent, port: number, method: string, path: string, body: string): { headRead: Promise<void>; sendBody(): void; response: Promise<{ status: number }> } {
  let headRead!: () => void;
  const headSeen = new Promise<void>((resolve) => (headRead = resolve));
  const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
  const response = new Promise<{ status: number }>((resolve, reject) => {
    req.on('continue', headRead);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { headRead: headSeen, sendBody: () => req.end(body), response };
}

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
