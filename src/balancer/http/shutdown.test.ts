// Shutdown under load: what is in flight when the balancer is asked to stop finishes (within the
// grace period) instead of turning into a 502, and only then do the connections close.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer } from '../balancer.js';
import { listenLoopback, request } from '../../../test/support/balancer/backends.js';
import { until } from '../../../test/support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A backend that holds every request until release() and then answers with the bytes it read. */
async function holdingBackend(): Promise<{ port: number; held: () => number; release: () => void }> {
  const waiting: (() => void)[] = [];
  let open = true;
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      const answer = (): void => void res.writeHead(200, { 'content-type': 'text/plain' }).end(`read ${bytes}`);
      if (open) waiting.push(answer);
      else answer();
    });
  });
  const port = await listenLoopback(server, cleanups);
  return {
    port,
    held: () => waiting.length,
    release: () => {
      open = false;
      for (const answer of waiting.splice(0)) answer();
    },
  };
}

const refusesConnections = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe.each([{ fastPath: true }, { fastPath: false }])('shutdown drains (fastPath: $fastPath)', ({ fastPath }) => {
  it('finishes requests in flight, long-polls and an upload still arriving, then closes', async () => {
    const backend = await holdingBackend();
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, fastPath, backends: [`127.0.0.1:${backend.port}`] });
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await lb.close();
    });
    const get = request(lb.port, '/slow');
    const longPoll = request(lb.port, '/socket.io/?EIO=4&transport=polling&sid=abc');
    // An upload whose second half arrives only after shutdown began (node:http carries bodies).
    let uploadRest: () => void = () => undefined;
    const upload = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: lb.port, path: '/upload', method: 'POST', headers: { 'content-length': '200000' }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(100_000, 'a'));
      uploadRest = () => req.end(Buffer.alloc(100_000, 'b'));
    });
    await until(() => backend.held() === 2, 'both GETs to reach the backend');

    const closing = lb.close().then(() => (closed = true));
    await until(() => refusesConnections(lb.port), 'the listener to stop accepting');
    uploadRest();
    await until(() => backend.held() === 3, 'the upload to arrive whole');
    expect(closed).toBe(false);
    backend.release();

    expect(await get).toMatchObject({ status: 200, body: 'read 0' });
    expect(await longPoll).toMatchObject({ status: 200, body: 'read 0' });
    expect(await upload).toEqual({ status: 200, body: 'read 200000' });
    await closing;
    expect(closed).toBe(true);
  });
});
