import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/index.js';
import { startBalancer } from '../balancer.js';
import { createSidRouter, sidFromHandshake } from './socketio.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function ioBackend(name: string): Promise<{ port: number; io: Server }> {
  const server = http.createServer();
  const ioServer = new Server(server, { pingInterval: 2_000, pingTimeout: 5_000 });
  ioServer.on('connection', (socket) => {
    socket.on('whoami', (n: number, ack: (r: { name: string; n: number }) => void) => ack({ name, n }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => void ioServer.close(() => r())));
  return { port: (server.address() as AddressInfo).port, io: ioServer };
}

const connect = (port: number, transports: ('polling' | 'websocket')[], upgrade = true): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = io(`http://127.0.0.1:${port}`, { transports, upgrade, forceNew: true, reconnection: false, timeout: 10_000 });
    cleanups.push(() => void socket.close());
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });

describe('Socket.IO through the balancer, no sticky cookie', () => {
  it('keeps every long-polling request of a session on the backend that issued its sid', async () => {
    const backends = await Promise.all([ioBackend('one'), ioBackend('two')]);
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, algorithm: 'round-robin', backends: backends.map((b) => `127.0.0.1:${b.port}`) });
    cleanups.push(() => lb.close());
    const clients = await Promise.all([connect(lb.port, ['polling']), connect(lb.port, ['polling'])]);
    const names = new Set<string>();
    for (const client of clients) {
      let owner: string | undefined;
      for (let n = 0; n < 8; n++) {
        const reply = (await client.timeout(10_000).emitWithAck('whoami', n)) as { name: string; n: number };
        expect(reply.n).toBe(n);
        owner ??= reply.name;
        expect(reply.name).toBe(owner);
      }
      names.add(owner!);
      expect(client.io.engine.transport.name).toBe('polling');
    }
    // Round robin put the two sessions on different backends, and each stayed where it started.
    expect(names).toEqual(new Set(['one', 'two']));
    expect(lb.http!.sids!.size).toBe(2);
    for (const b of backends) expect(b.io.engine.clientsCount).toBe(1);
  });

  it('without sid routing, round robin breaks long-polling sessions (why the feature exists)', async () => {
    const backends = await Promise.all([ioBackend('one'), ioBackend('two')]);
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, socketioPath: false, backends: backends.map((b) => `127.0.0.1:${b.port}`) });
    cleanups.push(() => lb.close());
    await expect(connect(lb.port, ['polling'])).rejects.toThrow();
  });

  it('upgrades polling to WebSocket on the same backend', async () => {
    const backends = await Promise.all([ioBackend('one'), ioBackend('two'), ioBackend('three')]);
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, algorithm: 'round-robin', backends: backends.map((b) => `127.0.0.1:${b.port}`) });
    cleanups.push(() => lb.close());
    const client = await connect(lb.port, ['polling', 'websocket']);
    await new Promise<void>((resolve) => (client.io.engine.transport.name === 'websocket' ? resolve() : client.io.engine.once('upgrade', () => resolve())));
    const reply = (await client.timeout(10_000).emitWithAck('whoami', 1)) as { name: string };
    expect(client.io.engine.transport.name).toBe('websocket');
    expect(backends.map((b) => b.io.engine.clientsCount).sort()).toEqual([0, 0, 1]);
    expect(reply.name).toBeTruthy();
    expect(lb.http!.tunnels()).toBe(1);
  });
});

describe('sid router', () => {
  it('reads the sid from an engine.io open packet (v4 and v3 framing)', () => {
    expect(sidFromHandshake('0{"sid":"abc-123","upgrades":["websocket"],"pingInterval":25000}')).toBe('abc-123');
    expect(sidFromHandshake('97:0{"sid":"xyz","upgrades":[]}')).toBe('xyz');
    expect(sidFromHandshake('4hello')).toBeUndefined();
  });

  it('recognises engine.io URLs only under its path and forgets idle sessions', () => {
    const clock = createManualClock();
    const router = createSidRouter({ clock, ttlMs: 1_000, maxEntries: 2 });
    expect(router.isHandshake('/socket.io/?EIO=4&transport=polling&t=abc')).toBe(true);
    expect(router.isHandshake('/socket.io/?EIO=4&transport=polling&sid=s1')).toBe(false);
    expect(router.sidOf('/socket.io/?EIO=4&transport=websocket&sid=s1')).toBe('s1');
    expect(router.sidOf('/other/?EIO=4&sid=s1')).toBeUndefined();
    router.learn('s1', 'b1');
    clock.advance(500);
    expect(router.lookup('s1')).toBe('b1');
    clock.advance(999);
    expect(router.lookup('s1')).toBe('b1');
    clock.advance(1_000);
    expect(router.lookup('s1')).toBeUndefined();
    router.learn('a', 'b1');
    router.learn('b', 'b2');
    router.learn('c', 'b2');
    expect(router.size).toBe(2);
    expect(router.lookup('a')).toBeUndefined();
    router.forget('b2');
    expect(router.size).toBe(0);
  });
});
