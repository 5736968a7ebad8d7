import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer, type RunningBalancer } from '../balancer.js';
import { request, startTestBackend } from '../../../test/support/balancer/backends.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(): Promise<RunningBalancer> {
  const backend = await startTestBackend('b1');
  cleanups.push(() => backend.kill());
  const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, backends: [`127.0.0.1:${backend.port},id=b1`] });
  cleanups.push(() => lb.close());
  return lb;
}

/** Sends `data` on one connection and collects bytes until `done(text)` says the answer is complete. */
function converse(port: number, data: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(data, 'latin1'));
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (done(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('L7 fast path framing', () => {
  it('passes chunked, 204, HEAD and close-delimited responses through intact', async () => {
    const lb = await setup();
    const chunked = await request(lb.port, '/chunked');
    expect(chunked.body).toBe('one,two');
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect((await request(lb.port, '/no-content')).status).toBe(204);
    const head = await request(lb.port, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const untilClose = await request(lb.port, '/until-close');
    expect(untilClose.body).toBe('body until close');
    expect(untilClose.headers.connection).toBe('close');
  });

  it('writes each request\'s own forwarding fields on a connection whose Host changes', async () => {
    const lb = await setup();
    const req = (n: number, host: string) => `GET /?n=${n} HTTP/1.1\r\nHost: ${host}\r\nX-Forwarded-Host: forged.example\r\n\r\n`;
    const hosts = ['a.example', 'a.example', 'b.example:8080', 'a.example'];
    const text = await converse(lb.port, hosts.map((h, i) => req(i, h)).join(''), (t) => t.includes('"url":"/?n=3"') && t.endsWith('}'));
    const seen = [...text.matchAll(/\{"id".*?"remote":"[^"]*"\}/g)].map((m) => (JSON.parse(m[0]) as { headers: Record<string, string> }).headers);
    expect(seen.map((h) => [h.host, h['x-forwarded-host'], h.forwarded])).toEqual(
      hosts.map((h) => [h, h, `for=127.0.0.1;host=${h.includes(':') ? `"${h}"` : h};proto=http`]),
    );
  });

  it('answers pipelined requests in order on one connection', async () => {
    const lb = await setup();
    const req = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const text = await converse(lb.port, req('/?n=1') + req('/chunked') + req('/?n=3'), (t) => count(t, 'HTTP/1.1 200') === 3 && t.includes('"url":"/?n=3"') && t.endsWith('}'));
    expect(text.indexOf('"url":"/?n=1"')).toBeLessThan(text.indexOf('one,'));
    expect(text.indexOf('0\r\n\r\n')).toBeLessThan(text.indexOf('"url":"/?n=3"'));
  });

  it('hands a connection to node:http at its first request with a body, keeping the bytes', async () => {
    const lb = await setup();
    const get = 'GET /first HTTP/1.1\r\nHost: x\r\n\r\n';
    const post = 'POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello';
    const then = 'GET /third HTTP/1.1\r\nHost: x\r\n\r\n';
    const text = await converse(lb.port, get + post + then, (t) => t.includes('"url":"/third"') && t.endsWith('}'));
    expect(count(text, 'HTTP/1.1 200')).toBe(3);
    expect(text).toContain('"method":"POST","url":"/second"');
    expect(text).toMatch(/"url":"\/second".*"bodyBytes":5/);
  });

  it('refuses request smuggling shapes and bad heads with 400', async () => {
    const lb = await setup();
    for (const bad of [
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n',
      'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    ]) {
      const text = await converse(lb.port, bad, () => false);
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await request(lb.port, '/')).status).toBe(200);
  });

  it('forwards obs-text header bytes unchanged both ways (latin1 in, latin1 out)', async () => {
    // A raw backend that echoes the request's X-Obs bytes in a response header.
    const backend = net.createServer((socket) => {
      let got = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.indexOf('\r\n\r\n') < 0) return;
        const value = /\r\nx-obs: ([^\r]*)/i.exec(got.toString('latin1'))?.[1] ?? 'missing';
        socket.write(Buffer.from(`HTTP/1.1 200 OK\r\nX-Echo: ${value}\r\nContent-Length: 2\r\n\r\nok`, 'latin1'));
        got = Buffer.alloc(0);
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => backend.close(() => resolve())));
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, backends: [`127.0.0.1:${(backend.address() as net.AddressInfo).port}`] });
    cleanups.push(() => lb.close());
    const text = await converse(lb.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Obs: caf\xe9\r\n\r\n', (t) => t.endsWith('ok'));
    expect(text).toContain('X-Echo: caf\xe9\r\n');
  });

  it('streams a large response byte-exact through a client that reads slowly (backpressure)', async () => {
    // 8 MiB of a non-repeating pattern: a reused read buffer or a lost pause would corrupt or drop bytes.
    const body = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(i, i);
    const backend = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
        socket.write(body);
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => (backend.close(() => resolve()), backend.unref())));
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, backends: [`127.0.0.1:${(backend.address() as net.AddressInfo).port}`] });
    cleanups.push(() => lb.close());
    const got = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: lb.port }, () => socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n'));
      const chunks: Buffer[] = [];
      let size = 0;
      let reads = 0;
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        size += d.length;
        // Stall now and then so the balancer's writes to us back up.
        if (++reads % 20 === 0) {
          socket.pause();
          setImmediate(() => socket.resume());
        }
        // The head is small and comes first, so the body is complete once the bytes cover both.
        if (size < body.length) return;
        const all = Buffer.concat(chunks);
        const headEnd = all.indexOf('\r\n\r\n');
        if (headEnd >= 0 && size - headEnd - 4 >= body.length) {
          socket.destroy();
          resolve(all.subarray(headEnd + 4));
        }
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`closed after ${size} bytes`)));
    });
    expect(got.length).toBe(body.length);
    expect(got.equals(body)).toBe(true);
  });

  it('survives arbitrary bytes (property): every connection ends, the balancer keeps serving', async () => {
    const lb = await setup();
    const printable = fc.string({ maxLength: 300 });
    const headish = fc
      .tuple(fc.constantFrom('GET', 'POST', 'G T', '', 'HEAD'), fc.string({ maxLength: 40 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', ''), fc.array(fc.string({ maxLength: 60 }), { maxLength: 6 }))
      .map(([m, t, v, hs]) => `${m} /${t} ${v}\r\nHost: x\r\n${hs.join('\r\n')}\r\n\r\n`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(printable, headish, fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString('latin1'))), async (input) => {
        const socket = net.connect({ host: '127.0.0.1', port: lb.port });
        await new Promise<void>((resolve) => {
          socket.on('connect', () => socket.write(Buffer.from(input, 'latin1')));
          socket.on('error', () => resolve());
          socket.on('close', () => resolve());
          // Whatever the balancer makes of it, the client gives up after a moment.
          setTimeout(() => socket.destroy(), 150);
        });
      }),
      { numRuns: 60 },
    );
    expect((await request(lb.port, '/')).status).toBe(200);
  });
});
