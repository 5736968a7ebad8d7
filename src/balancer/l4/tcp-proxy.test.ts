import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, dial, greet, readUntil, startTcpBackend, type TestBackend } from '../../../test/support/l4-sockets.js';
import { encodeProxyV2 } from '../proxy-protocol/index.js';
import { createTcpProxy, type TcpProxy, type TcpProxyOptions } from './tcp-proxy.js';
import type { L4Target } from './types.js';
import { until } from '../../../test/support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function backend(name: string, options: { proxyProtocol?: boolean } = {}): Promise<TestBackend> {
  const b = await startTcpBackend(name, options);
  cleanups.push(() => b.close());
  return b;
}

function target(b: TestBackend): L4Target {
  return { id: b.name, host: '127.0.0.1', port: b.port };
}

/** Round robin over `targets`, skipping ones that already failed for this client. */
function roundRobin(targets: L4Target[]): TcpProxyOptions<L4Target>['pickBackend'] {
  let next = 0;
  return (_client, { tried }) => {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[next++ % targets.length]!;
      if (!tried.has(t.id)) return t;
    }
    return null;
  };
}

async function proxy(options: Omit<TcpProxyOptions<L4Target>, 'listen'>): Promise<TcpProxy> {
  const p = await createTcpProxy({ listen: { host: '127.0.0.1', port: 0 }, ...options });
  cleanups.push(() => p.close());
  return p;
}

/** A port nothing listens on (bound then closed). */
async function deadPort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('TCP proxy', () => {
  it('spreads connections over the backends pickBackend chooses', async () => {
    const [a, b] = [await backend('a'), await backend('b')];
    const p = await proxy({ pickBackend: roundRobin([target(a), target(b)]) });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await greet(p.port)).backend);
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
  });

  it('carries 8 MiB both ways intact, with backpressure', async () => {
    const a = await backend('a');
    const p = await proxy({ pickBackend: () => target(a), highWaterMark: 16 * 1024 });
    const socket = await dial(p.port);
    const payload = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE((i * 2654435761) >>> 0, i);
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.end(payload); // half-close: the echo backend still answers, then says bye
    await once(socket, 'close');
    const all = Buffer.concat(received).toString('latin1');
    expect(all.startsWith('a 127.0.0.1\n')).toBe(true);
    expect(all.endsWith('bye\n')).toBe(true);
    const echoed = Buffer.from(all.slice('a 127.0.0.1\n'.length, all.length - 4), 'latin1');
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(echoed.length).toBe(payload.length);
    expect(digest(echoed)).toBe(digest(payload));
  });

  it('holds a fast backend back while the client does not read (no unbounded buffering)', async () => {
    const size = 32 * 1024 * 1024;
    const payload = Buffer.alloc(size, 7);
    let sender: Socket | undefined;
    const server = createServer((s) => {
      sender = s;
      s.on('error', () => undefined);
      s.end(payload);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const p = await proxy({ pickBackend: () => ({ id: 'big', host: '127.0.0.1', port: (server.address() as { port: number }).port }), highWaterMark: 64 * 1024 });
    const socket = await dial(p.port);
    socket.pause();
    await until(() => sender !== undefined, 'the sender to connect');
    // Give the pipeline time to fill every buffer it has; then the backend must still be waiting.
    await new Promise((r) => setTimeout(r, 500));
    expect(sender!.writableLength).toBeGreaterThan(0);
    let received = 0;
    socket.on('data', (c: Buffer) => (received += c.length));
    socket.resume();
    await closed(socket);
    expect(received).toBe(size);
  });

  it('delivers any sequence of writes intact and in order (property)', async () => {
    const a = await backend('a');
    const p = await proxy({ pickBackend: () => target(a), highWaterMark: 4096 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 20_000 }), { maxLength: 12 }), async (chunks) => {
        const socket = await dial(p.port);
        const received: Buffer[] = [];
        socket.on('data', (c: Buffer) => received.push(c));
        for (const chunk of chunks) socket.write(chunk);
        socket.end();
        await closed(socket);
        const expected = Buffer.concat([Buffer.from('a 127.0.0.1\n'), ...chunks, Buffer.from('bye\n')]);
        expect(Buffer.concat(received).equals(expected)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps the other direction open after a client half-close', async () => {
    const a = await backend('a');
    const p = await proxy({ pickBackend: () => target(a) });
    const socket = await dial(p.port);
    socket.end('ping\n');
    const text = await readUntil(socket, (t) => t.endsWith('bye\n'));
    expect(text).toBe('a 127.0.0.1\nping\nbye\n');
  });

  it('retries the next backend when connecting fails, and reports the failure', async () => {
    const a = await backend('a');
    const dead: L4Target = { id: 'dead', host: '127.0.0.1', port: await deadPort() };
    const failed: string[] = [];
    const p = await proxy({ pickBackend: roundRobin([dead, target(a)]), onConnectFailed: (t) => failed.push(t.id) });
    expect((await greet(p.port)).backend).toBe('a');
    expect(failed).toEqual(['dead']);
    expect(p.stats().connectFailures).toBe(1);
  });

  it('closes the client when no backend can take it, and keeps serving', async () => {
    const a = await backend('a');
    let allow = false;
    const p = await proxy({ pickBackend: () => (allow ? target(a) : null) });
    const refused = await dial(p.port);
    await closed(refused);
    expect(p.stats().refused).toBe(1);
    allow = true;
    expect((await greet(p.port)).backend).toBe('a');
  });

  it('closes the client when the backend resets mid-stream, and keeps serving', async () => {
    const resets = createServer((s) => {
      s.on('error', () => undefined);
      // Answers the first chunk, resets on the second: mid-stream, long after the proxy joined the two.
      s.once('data', () => {
        s.write('hello\n');
        s.once('data', () => s.resetAndDestroy());
      });
    });
    resets.listen(0, '127.0.0.1');
    await once(resets, 'listening');
    cleanups.push(() => new Promise((r) => resets.close(() => r())));
    const a = await backend('a');
    const rst: L4Target = { id: 'rst', host: '127.0.0.1', port: (resets.address() as { port: number }).port };
    const closes: boolean[] = [];
    const p = await proxy({ pickBackend: roundRobin([rst, target(a)]), onClose: (_b, _c, info) => closes.push(info.ok) });
    const socket = await dial(p.port);
    socket.write('go\n');
    expect(await readUntil(socket, (t) => t.includes('hello'))).toBe('hello\n');
    socket.write('again\n');
    await closed(socket);
    expect((await greet(p.port)).backend).toBe('a');
    await until(() => closes.length === 2, 'both connections to close');
    expect(closes.sort()).toEqual([false, true]); // the reset counts against its backend, a client hang-up does not
  });

  it('counts active connections through onConnect / onClose', async () => {
    const a = await backend('a');
    let active = 0;
    const p = await proxy({ pickBackend: () => target(a), onConnect: () => active++, onClose: () => active-- });
    const s1 = await dial(p.port);
    const s2 = await dial(p.port);
    await readUntil(s1, (t) => t.includes('\n'));
    await readUntil(s2, (t) => t.includes('\n'));
    expect(active).toBe(2);
    expect(p.connections).toBe(2);
    s1.destroy();
    await until(() => active === 1, 'one active connection');
    s2.destroy();
    await until(() => active === 0 && p.connections === 0, 'every connection to close');
  });

  it('closes a connection idle for longer than idleTimeoutMs', async () => {
    const a = await backend('a');
    const p = await proxy({ pickBackend: () => target(a), idleTimeoutMs: 150 });
    const socket = await dial(p.port);
    await readUntil(socket, (t) => t.includes('\n'));
    await closed(socket);
    await until(() => p.connections === 0, 'the proxy to hold no connection');
  });

  it.each(['v1', 'v2'] as const)('sends a PROXY %s header carrying the real client address', async (version) => {
    const a = await backend('a', { proxyProtocol: true });
    const p = await proxy({ pickBackend: () => target(a), proxyProtocol: version });
    expect(await greet(p.port, '127.0.0.2')).toEqual({ backend: 'a', client: '127.0.0.2' });
    expect(await greet(p.port, '127.0.0.3')).toEqual({ backend: 'a', client: '127.0.0.3' });
    // The header is followed by the client's own bytes, untouched.
    const socket = await dial(p.port, '127.0.0.2');
    socket.end('data after header\n');
    expect(await readUntil(socket, (t) => t.endsWith('bye\n'))).toBe('a 127.0.0.2\ndata after header\nbye\n');
  });

  it('reports an IPv4 client of a dual-stack (::) listener as IPv4 in the PROXY header', async () => {
    const a = await backend('a', { proxyProtocol: true });
    const p = await createTcpProxy({ listen: { host: '::', port: 0 }, pickBackend: () => target(a), proxyProtocol: 'v1' });
    cleanups.push(() => p.close());
    expect(await greet(p.port, '127.0.0.3')).toEqual({ backend: 'a', client: '127.0.0.3' });
  });

  it('accepts a PROXY header from a balancer in front and passes the client it names on', async () => {
    const a = await backend('a', { proxyProtocol: true });
    const p = await proxy({ pickBackend: () => target(a), acceptProxyProtocol: true, proxyProtocol: 'v1' });
    const front = await dial(p.port);
    // The front balancer's header and the client's first bytes in one segment.
    front.end(Buffer.concat([encodeProxyV2({ source: { address: '203.0.113.7', port: 4242 }, destination: { address: '198.51.100.1', port: 443 } }), Buffer.from('hi\n')]));
    expect(await readUntil(front, (t) => t.endsWith('bye\n'))).toBe('a 203.0.113.7\nhi\nbye\n');
    const v1 = await dial(p.port);
    v1.write('PROXY TCP4 192.0.2.9 198.51.100.1 5000 443\r\n');
    expect(await readUntil(v1, (t) => t.includes('\n'))).toBe('a 192.0.2.9\n');
    v1.destroy();
  });

  it('drops a client whose PROXY header is garbage or never comes, and keeps serving', async () => {
    const a = await backend('a', { proxyProtocol: true });
    const picked: string[] = [];
    const p = await proxy({ pickBackend: (c) => (picked.push(c.address), target(a)), acceptProxyProtocol: true, proxyProtocol: 'v2', proxyHeaderTimeoutMs: 1_000 });
    const garbage = await dial(p.port);
    garbage.write('GET / HTTP/1.1\r\n\r\n');
    await closed(garbage);
    const silent: Socket = await dial(p.port);
    await closed(silent);
    expect(p.stats().badProxyHeaders).toBe(2);
    expect(picked).toEqual([]);
    const ok = await dial(p.port, '127.0.0.3');
    ok.write('PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n');
    expect(await readUntil(ok, (t) => t.includes('\n'))).toBe('a 192.0.2.1\n');
    ok.destroy();
  });

  it('refuses nonsense options with a coded error', async () => {
    await expect(createTcpProxy({ listen: { port: 0 }, pickBackend: () => null, connectTimeoutMs: -1 })).rejects.toMatchObject({ code: 'GH_BALANCER_L4_OPTIONS_INVALID' });
  });
});
