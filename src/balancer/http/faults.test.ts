// Backends that fail in the ways real ones do (reset, abort, garbage, 1xx) behind a real balancer,
// through the lean fast path and through node:http: what the client sees, and what the pool counts.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer, type RunningBalancer } from '../balancer.js';
import { listenLoopback, request } from '../../../test/support/balancer/backends.js';
import { ALGORITHM_NAMES } from '../types.js';
import { until } from '../../../test/support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface FaultBackend {
  id: string;
  port: number;
  /** Request targets seen, in order. */
  hits: string[];
}

async function backend(id: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FaultBackend> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '/');
    handler(req, res);
  });
  const port = await listenLoopback(server, cleanups);
  return { id, port, hits };
}

const answer = (id: string) => (req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'x-backend': id, 'content-length': id.length }).end(id));
};
const reset = (req: IncomingMessage) => req.socket.destroy();

async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function balancer(fastPath: boolean, backends: { id: string; port: number }[], config: Record<string, unknown> = {}): Promise<RunningBalancer> {
  const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, fastPath, slowStart: 0, backends: backends.map((b) => `127.0.0.1:${b.port},id=${b.id}`), ...config });
  cleanups.push(() => lb.close());
  return lb;
}

describe.each([{ fastPath: true }, { fastPath: false }])('balancer faults (fastPath: $fastPath)', ({ fastPath }) => {
  describe('retries go elsewhere', () => {
    // Passive ejection is off so that only the retry rule keeps requests away from the broken backends.
    const noEjection = { passive: { maxFailures: 0, failurePercent: 0 }, retryBudget: { percent: 100, minPerSecond: 1000 } };

    it.each(ALGORITHM_NAMES)('%s: a retried GET never returns to a backend it tried, and reaches the live one', async (algorithm) => {
      const dead = { id: 'dead', port: await deadPort() };
      const resetting = await backend('resetting', reset);
      const live = await backend('live', answer('live'));
      const lb = await balancer(fastPath, [dead, resetting, live], { algorithm, hashKey: 'header:x-key', retries: 2, ...noEjection });
      for (let i = 0; i < 12; i++) {
        const res = await request(lb.port, `/r${i}`, { headers: { 'x-key': `user-${i}` }, localAddress: `127.0.0.${2 + i}` });
        expect(res.status, `request ${i}`).toBe(200);
        expect(res.body).toBe('live');
      }
      // Each request reached the resetting backend at most once.
      expect(new Set(resetting.hits).size).toBe(resetting.hits.length);
    });

    it('answers the failure itself (502), not "no backend", when every backend was tried', async () => {
      const a = await backend('a', reset);
      const b = await backend('b', reset);
      const lb = await balancer(fastPath, [a, b], { algorithm: 'ip-hash', retries: 5, ...noEjection });
      const res = await request(lb.port, '/x');
      expect(res.status).toBe(502);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'GH_BALANCER_BAD_GATEWAY' });
      expect([...a.hits, ...b.hits]).toEqual(['/x', '/x']);
    });

    it('retries an idempotent bodiless PUT after a reset, never a bodiless POST', async () => {
      const a = await backend('a', reset);
      const b = await backend('b', reset);
      const lb = await balancer(fastPath, [a, b], { retries: 1, ...noEjection });
      expect((await request(lb.port, '/put', { method: 'PUT' })).status).toBe(502);
      expect([...a.hits, ...b.hits].filter((h) => h === '/put')).toHaveLength(2);
      expect((await request(lb.port, '/post', { method: 'POST' })).status).toBe(502);
      expect([...a.hits, ...b.hits].filter((h) => h === '/post')).toHaveLength(1);
    });
  });

  describe('one bad request cannot eject a healthy backend', () => {
    it('a request every backend resets counts one failure, and three of them leave the pool up', async () => {
      const poison = (id: string) => (req: IncomingMessage, res: ServerResponse) => (req.url === '/poison' ? reset(req) : answer(id)(req, res));
      const backends = await Promise.all(['a', 'b', 'c'].map((id) => backend(id, poison(id))));
      const lb = await balancer(fastPath, backends, { retries: 2, passive: { maxFailures: 3 } });
      for (let i = 0; i < 3; i++) expect((await request(lb.port, '/poison')).status).toBe(502);
      expect(lb.pool.list().reduce((n, b) => n + b.failures, 0)).toBe(3);
      expect(lb.pool.list().map((b) => b.state)).toEqual(['up', 'up', 'up']);
      expect((await request(lb.port, '/fine')).status).toBe(200);
    });

    it('a malformed answer from one backend is counted against that backend only', async () => {
      const garbage = await backend('garbage', (req) => req.socket.end('HTTP/1.1 ???? nonsense\r\n\r\n'));
      const live = await backend('live', answer('live'));
      const lb = await balancer(fastPath, [garbage, live], { retries: 1, passive: { maxFailures: 0 } });
      for (let i = 0; i < 4; i++) expect((await request(lb.port, `/g${i}`)).status).toBe(200);
      // Round robin sends each first attempt to it (the retry's pick moves the rotation on): one failure per request.
      expect(lb.pool.get('garbage')!.failures).toBe(4);
      expect(lb.pool.get('live')!.failures).toBe(0);
    });

    it('a client that aborts mid-download is not a backend failure', async () => {
      const streaming = await backend('s', (_req, res) => {
        res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        const tick = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 5);
        res.on('close', () => clearInterval(tick));
      });
      const lb = await balancer(fastPath, [streaming], { passive: { maxFailures: 1, maxEjectionPercent: 100 } });
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port: lb.port, path: '/big', agent: false }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
        });
        await until(() => lb.pool.get('s')!.activeConnections === 0, 'the request to end');
      }
      expect(lb.pool.get('s')).toMatchObject({ failures: 0, state: 'up' });
    });

    it('a client that aborts mid-upload is not a backend failure', async () => {
      let received = 0;
      const slowReader = await backend('u', (req, res) => {
        req.on('data', (c: Buffer) => (received += c.length));
        req.on('end', () => res.end('ok'));
      });
      const lb = await balancer(fastPath, [slowReader], { passive: { maxFailures: 1, maxEjectionPercent: 100 } });
      for (let i = 0; i < 3; i++) {
        const before = received;
        const socket = net.connect(lb.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
        socket.write(Buffer.alloc(32 * 1024, 'u'));
        await until(() => received > before, 'part of the body to arrive');
        socket.destroy();
        await until(() => lb.pool.get('u')!.activeConnections === 0, 'the request to end');
      }
      expect(lb.pool.get('u')).toMatchObject({ failures: 0, state: 'up' });
    });

    it('passes a 103 Early Hints through before the final response', async () => {
      const hinting = await backend('h', (_req, res) => {
        res.writeEarlyHints({ link: '</app.css>; rel=preload; as=style' });
        setTimeout(() => res.writeHead(200, { 'content-length': '2' }).end('ok'), 5);
      });
      const lb = await balancer(fastPath, [hinting]);
      const got = await new Promise<{ hints: { status: number; link: unknown }[]; status: number; body: string }>((resolve, reject) => {
        const hints: { status: number; link: unknown }[] = [];
        const req = http.get({ host: '127.0.0.1', port: lb.port, path: '/', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ hints, status: res.statusCode ?? 0, body }));
        });
        req.on('information', (info) => hints.push({ status: info.statusCode, link: info.headers.link }));
        req.on('error', reject);
      });
      expect(got).toEqual({ hints: [{ status: 103, link: '</app.css>; rel=preload; as=style' }], status: 200, body: 'ok' });
      expect(lb.pool.get('h')!.failures).toBe(0);
    });
  });
});
