import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer, type RunningBalancer } from '../balancer.js';
import { rawExchange, request, startTestBackend, type TestBackend } from '../../../test/support/balancer/backends.js';
import { until } from '../../../test/support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

// Every test runs twice: through the lean socket-level path (the default) and through node:http only.
describe.each([{ fastPath: true }, { fastPath: false }])('L7 proxy (fastPath: $fastPath)', ({ fastPath }) => {
async function setup(n: number, config: Record<string, unknown> = {}): Promise<{ lb: RunningBalancer; backends: TestBackend[] }> {
  const backends = await Promise.all(Array.from({ length: n }, (_, i) => startTestBackend(`b${i + 1}`)));
  cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
  const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, fastPath, backends: backends.map((b) => `127.0.0.1:${b.port},id=${b.id}`), ...config });
  cleanups.push(() => lb.close());
  return { lb, backends };
}

describe('L7 proxy', () => {
  it('round-robins GETs over the backends and adds forwarding headers', async () => {
    const { lb } = await setup(3);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(lb.port, `/who?i=${i}`, { headers: { host: 'app.example', 'x-forwarded-for': '6.6.6.6' } });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body) as { id: string; url: string; headers: Record<string, string> };
      seen.push(body.id);
      expect(body.url).toBe(`/who?i=${i}`);
      // A client-supplied X-Forwarded-For is not trusted by default.
      expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(body.headers['x-forwarded-proto']).toBe('http');
      expect(body.headers['x-forwarded-host']).toBe('app.example');
      expect(body.headers.forwarded).toBe('for=127.0.0.1;host=app.example;proto=http');
      expect(body.headers.host).toBe('app.example');
    }
    expect(seen).toEqual(['b1', 'b2', 'b3', 'b1', 'b2', 'b3']);
  });

  it('drops hop-by-hop headers both ways and keeps repeated Set-Cookie lines', async () => {
    const { lb } = await setup(1);
    const res = await request(lb.port, '/', { headers: { connection: 'keep-alive, x-secret-hop', 'x-secret-hop': '1', 'keep-alive': 'timeout=5', te: 'gzip', 'x-end': 'e' } });
    const headers = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    expect(headers['x-secret-hop']).toBeUndefined();
    expect(headers.te).toBeUndefined();
    expect(headers['keep-alive']).toBeUndefined();
    expect(headers['x-end']).toBe('e');
    const cookies = await request(lb.port, '/cookies');
    expect(cookies.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(cookies.headers['x-private']).toBeUndefined();
  });

  it('streams a large request body to the backend and the response back', async () => {
    const { lb } = await setup(1);
    const body = Buffer.alloc(3 * 1024 * 1024, 'x');
    const res = await request(lb.port, '/echo', { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(body.length);
  });

  it('keeps upstream connections alive across requests', async () => {
    const { lb, backends } = await setup(1);
    let connections = 0;
    backends[0]!.server.on('connection', () => connections++);
    for (let i = 0; i < 10; i++) expect((await request(lb.port, '/')).status).toBe(200);
    expect(connections).toBe(1);
  });

  it('hashes client IPs to backends (ip-hash), clients bound to different loopback addresses', async () => {
    const { lb } = await setup(3, { algorithm: 'ip-hash' });
    const owners = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 2; i < 12; i++) {
        const localAddress = `127.0.0.${i}`;
        const body = JSON.parse((await request(lb.port, '/', { localAddress })).body) as { id: string; headers: Record<string, string> };
        expect(body.headers['x-forwarded-for']).toBe(localAddress);
        if (round === 0) owners.set(localAddress, body.id);
        else expect(body.id).toBe(owners.get(localAddress));
      }
    }
    expect(new Set(owners.values()).size).toBeGreaterThan(1);
  });

  it('routes by a header with consistent-hash', async () => {
    const { lb } = await setup(4, { algorithm: 'consistent-hash', hashKey: 'header:x-user' });
    for (const user of ['ann', 'bob', 'cid']) {
      const first = (JSON.parse((await request(lb.port, '/', { headers: { 'x-user': user } })).body) as { id: string }).id;
      for (let i = 0; i < 4; i++) expect((JSON.parse((await request(lb.port, '/', { headers: { 'x-user': user } })).body) as { id: string }).id).toBe(first);
    }
  });
});

describe('L7 faults', () => {
  it('answers 400 and closes on a malformed request', async () => {
    const { lb } = await setup(1);
    const out = await rawExchange(lb.port, 'GARBAGE\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(out).toContain('GH_BALANCER_BAD_REQUEST');
  });

  it('answers 431 to oversized headers and 413 to an oversized body', async () => {
    const { lb } = await setup(1, { limits: { maxHeaderBytes: 2048, maxBodyBytes: 1000 } });
    const big = await rawExchange(lb.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    const res = await request(lb.port, '/', { method: 'POST', body: 'y'.repeat(2000) });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'GH_BALANCER_PAYLOAD_TOO_LARGE' });
  });

  it('cuts a slowloris client that never finishes its headers', async () => {
    const { lb } = await setup(1, { timeouts: { headers: '400ms', request: '600ms' } });
    const out = await rawExchange(lb.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', { keepOpenMs: 0 });
    // The server closed on its own: either with a 408 or by cutting the connection.
    expect(out === '' || /^HTTP\/1\.1 408 /.test(out)).toBe(true);
  });

  it('gives 502 for an upstream reset or garbage, 504 for a hang — for that request only', async () => {
    const { lb } = await setup(1, { timeouts: { response: '500ms' }, retries: 0, passive: { maxFailures: 0 } });
    const reset = await request(lb.port, '/reset');
    expect(reset.status).toBe(502);
    expect(JSON.parse(reset.body)).toEqual({ error: 'GH_BALANCER_BAD_GATEWAY', message: expect.any(String) });
    expect((await request(lb.port, '/garbage')).status).toBe(502);
    expect((await request(lb.port, '/hang')).status).toBe(504);
    expect((await request(lb.port, '/')).status).toBe(200);
  });

  it('retries a GET on another backend when one resets, never a POST whose body was sent', async () => {
    const { lb, backends } = await setup(2, { passive: { maxFailures: 0 } });
    for (let i = 0; i < 4; i++) expect((await request(lb.port, '/garbage')).status).toBe(502); // both fail: 502 after retries
    const posts = await request(lb.port, '/consume-then-reset', { method: 'POST', body: 'pay once' });
    expect(posts.status).toBe(502);
    const postHits = backends.flatMap((b) => b.hits).filter((h) => h === '/consume-then-reset');
    expect(postHits).toHaveLength(1);
  });

  it('retries a POST on another backend when the connection is refused (body not yet sent)', async () => {
    const dead = await startTestBackend('dead');
    await dead.kill();
    const live = await startTestBackend('live');
    cleanups.push(() => live.kill());
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, fastPath, backends: [`127.0.0.1:${dead.port},id=dead`, `127.0.0.1:${live.port},id=live`] });
    cleanups.push(() => lb.close());
    for (let i = 0; i < 4; i++) {
      const res = await request(lb.port, '/', { method: 'POST', body: 'hello' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ id: 'live', bodyBytes: 5 });
    }
    expect(lb.pool.get('dead')!.failures).toBeGreaterThan(0);
  });

  it('survives a backend killed mid-load with no failed GET, then takes it back', async () => {
    const { lb, backends } = await setup(3, { passive: { maxFailures: 1, eject: '300ms' }, slowStart: 0 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const statuses: number[] = [];
    let killed = false;
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 60; i++) {
        statuses.push((await request(lb.port, `/slow?ms=2`, { agent })).status);
        if (!killed && statuses.length > 40) {
          killed = true;
          await backends[1]!.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    agent.destroy();
    expect(statuses).toHaveLength(360);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(lb.pool.get('b2')!.failures).toBeGreaterThan(0);
    await backends[1]!.revive();
    const hitsBefore = backends[1]!.hits.length;
    const afterRevive: number[] = [];
    await until(async () => {
      afterRevive.push((await request(lb.port, '/')).status);
      return backends[1]!.hits.length > hitsBefore;
    }, 'the revived backend to get requests again');
    expect(afterRevive.every((s) => s === 200)).toBe(true);
  });

  it('returns 503 with a coded body when no backend is up', async () => {
    const { lb } = await setup(1);
    lb.pool.markDown('b1');
    const res = await request(lb.port, '/');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'GH_BALANCER_NO_BACKEND' });
  });
});

describe('WebSocket tunnels', () => {
  const upgrade = (port: number, path = '/ws'): Promise<{ socket: net.Socket; headers: http.IncomingHttpHeaders }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, headers: { connection: 'Upgrade', upgrade: 'websocket' }, agent: false });
      req.on('upgrade', (res, socket) => resolve({ socket, headers: res.headers }));
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  const echo = (socket: net.Socket, text: string): Promise<string> =>
    new Promise((resolve) => {
      socket.once('data', (d: Buffer) => resolve(d.toString()));
      socket.write(text);
    });

  it('upgrades and carries bytes both ways with forwarding headers', async () => {
    const { lb } = await setup(2);
    const a = await upgrade(lb.port);
    const b = await upgrade(lb.port);
    expect(a.headers['x-seen-xff']).toBe('127.0.0.1');
    expect(await echo(a.socket, 'hello')).toBe(`${a.headers['x-backend'] as string}:hello`);
    expect(await echo(b.socket, 'there')).toBe(`${b.headers['x-backend'] as string}:there`);
    expect(a.headers['x-backend']).not.toBe(b.headers['x-backend']);
    expect(lb.http!.tunnels()).toBe(2);
    a.socket.destroy();
    b.socket.destroy();
  });

  it('drain: no new work for the backend, and its WebSockets close one by one across the window', async () => {
    const { lb } = await setup(2, { wsDrainWindow: '600ms' });
    const sockets = await Promise.all(Array.from({ length: 6 }, () => upgrade(lb.port)));
    const onB1 = sockets.filter((s) => s.headers['x-backend'] === 'b1');
    expect(onB1).toHaveLength(3);
    const closedAt: number[] = [];
    const started = Date.now();
    const allClosed = Promise.all(onB1.map((s) => new Promise<void>((resolve) => s.socket.on('close', () => (closedAt.push(Date.now() - started), resolve())))));
    lb.pool.drain('b1');
    for (let i = 0; i < 4; i++) expect((JSON.parse((await request(lb.port, '/')).body) as { id: string }).id).toBe('b2');
    await allClosed;
    closedAt.sort((x, y) => x - y);
    // Spread out, not all at once: the last closes well after the first.
    expect(closedAt[2]! - closedAt[0]!).toBeGreaterThanOrEqual(250);
    const stillOpen = sockets.filter((s) => s.headers['x-backend'] === 'b2');
    expect(await echo(stillOpen[0]!.socket, 'alive')).toBe('b2:alive');
    for (const s of sockets) s.socket.destroy();
  });
});
});
