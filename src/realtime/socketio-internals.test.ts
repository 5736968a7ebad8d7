// One test per private Socket.IO / engine.io / socket.io-adapter member that socketio-internals.ts
// reaches: each fails when an upgrade changes what gatehouse relies on.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { ClusterAdapter, ClusterAdapterWithHeartbeat } from 'socket.io-adapter';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLUSTER_MESSAGE_SOURCE,
  closeAsTransportLoss,
  clusterAdapterInternals,
  engineConnection,
  interceptRestoreSession,
  MessageType,
  queuedPackets,
  writeEventNow,
  type RecoveredSession,
} from './socketio-internals.js';

const servers: Server[] = [];
const clients: ClientSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => void s.close(() => resolve()))));
});

async function start(options: Partial<ServerOptions> = {}) {
  const http = createServer();
  const io = new Server(http, options);
  servers.push(io);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const client = (transports: ('websocket' | 'polling')[] = ['websocket']) => {
    const socket = connect(`${url}/chat`, { transports, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    clients.push(socket);
    return socket;
  };
  return { io, chat: io.of('/chat'), client };
}

const once = <T>(emitter: { once(event: string, listener: (value: T) => void): unknown }, event: string) =>
  new Promise<T>((resolve) => emitter.once(event, resolve));

/** A client can only be recovered from an offset: the id of the last event it received. */
async function greeted(server: Socket, client: ClientSocket) {
  const hello = once(client, 'hello');
  server.emit('hello');
  await hello;
}

const RECOVERY = { connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: false } };

describe('Socket.IO internals', () => {
  it('Client#_packet: an event written before CONNECT reaches the client once it is connected', async () => {
    const { chat, client } = await start();
    chat.use((socket, next) => {
      writeEventNow(socket, ['early', { n: 1 }]);
      next();
    });
    const socket = client();
    const early = new Promise<{ payload: unknown; connected: boolean }>((resolve) => socket.on('early', (payload: unknown) => resolve({ payload, connected: socket.connected })));
    expect(await early).toEqual({ payload: { n: 1 }, connected: true });
  });

  it('Socket#_onclose: a socket closed as by a lost transport ends with that reason and can be recovered', async () => {
    const { chat, client } = await start(RECOVERY);
    const first = once<Socket>(chat, 'connection');
    const socket = client();
    await once(socket, 'connect');
    const server = await first;
    await greeted(server, socket);
    const ended = once<string>(server, 'disconnect');
    closeAsTransportLoss(server, 'server shutting down');
    expect(await ended).toBe('server shutting down');
    expect(chat.sockets.size).toBe(0);
    // The session was kept: the client, once its connection drops, comes back recovered.
    const again = once<Socket>(chat, 'connection');
    socket.io.engine.close();
    expect((await again).recovered).toBe(true);
  });

  it('engine.io Socket#writeBuffer and packetCreate: what waits for a polling client is counted', async () => {
    const { chat, client } = await start();
    const arrived = once<Socket>(chat, 'connection');
    const socket = client(['polling']);
    await once(socket, 'connect');
    const server = await arrived;
    const connection = engineConnection(server);
    const seen: number[] = [];
    const listener = () => seen.push(queuedPackets(connection));
    connection.on('packetCreate', listener);
    // Long-polling takes at most one response's worth at a time: a burst queues.
    for (let i = 0; i < 20; i += 1) server.emit('burst', i);
    connection.off('packetCreate', listener);
    expect(seen).toHaveLength(20);
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(queuedPackets(connection)).toBeGreaterThan(0);
  });

  it('Adapter#restoreSession: the interceptor sees the missed packets before the recovered socket is rebuilt', async () => {
    const { chat, client } = await start(RECOVERY);
    const sessions: RecoveredSession[] = [];
    interceptRestoreSession(chat.adapter, (session) => sessions.push({ ...session, missedPackets: [...session.missedPackets] }));
    const first = once<Socket>(chat, 'connection');
    const socket = client();
    await once(socket, 'connect');
    const server = await first;
    await server.join('room');
    await greeted(server, socket);
    const gone = once<string>(socket, 'disconnect');
    socket.io.engine.close();
    await gone;
    await new Promise<void>((resolve) => {
      const check = () => (chat.sockets.size === 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    chat.to('room').emit('missed', 'while away');
    const back = once<Socket>(chat, 'connection');
    const missed = once<string>(socket, 'missed');
    expect((await back).recovered).toBe(true);
    expect(await missed).toBe('while away');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.missedPackets.map((data) => data[0])).toEqual(['missed']);
  });

  it('socket.io-adapter: the message types, request books and node map of the cluster adapters', async () => {
    expect([MessageType.FETCH_SOCKETS, MessageType.FETCH_SOCKETS_RESPONSE, MessageType.SERVER_SIDE_EMIT, MessageType.SERVER_SIDE_EMIT_RESPONSE]).toEqual([7, 8, 9, 10]);
    expect([MessageType.BROADCAST_CLIENT_COUNT, MessageType.BROADCAST_ACK, MessageType.ADAPTER_CLOSE]).toEqual([11, 12, 13]);

    const published: unknown[] = [];
    class Counted extends ClusterAdapter {
      protected doPublish(message: unknown) {
        published.push(message);
        return Promise.resolve('');
      }
      protected doPublishResponse() {
        return Promise.resolve();
      }
      override serverCount() {
        return Promise.resolve(2);
      }
    }
    class Named extends ClusterAdapterWithHeartbeat {
      constructor(nsp: unknown) {
        super(nsp, { heartbeatInterval: 60_000, heartbeatTimeout: 120_000 });
      }
      protected doPublish(message: unknown) {
        published.push(message);
        return Promise.resolve('');
      }
      protected doPublishResponse() {
        return Promise.resolve();
      }
    }
    for (const [kind, book] of [[Counted, 'requests'], [Named, 'customRequests']] as const) {
      const io = new Server({ adapter: kind as never });
      const internals = clusterAdapterInternals(io.of('/chat').adapter);
      expect(internals?.uid).toMatch(/^[0-9a-f]{16}$/);
      // A node is known once heard from, and forgotten on its ADAPTER_CLOSE.
      internals!.onMessage({ uid: 'other', nsp: '/chat', type: MessageType.HEARTBEAT } as never);
      if (kind === Named) expect([...internals!.nodesMap!.keys()]).toEqual(['other']);
      const pending = io.of('/chat').fetchSockets();
      await new Promise((resolve) => setImmediate(resolve)); // the adapter counts the nodes first
      const stored = [...internals![book]!.values()];
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ type: MessageType.FETCH_SOCKETS, responses: [], resolve: expect.any(Function) });
      expect(stored[0]!.timeout).toBeDefined();
      if (kind === Named) {
        expect(stored[0]!.missingUids).toEqual(new Set(['other']));
        internals!.onMessage({ uid: 'other', nsp: '/chat', type: MessageType.ADAPTER_CLOSE } as never);
        expect(internals!.nodesMap!.size).toBe(0);
        expect(await pending).toEqual([]);
      } else {
        clearTimeout(stored[0]!.timeout);
        stored[0]!.resolve([]);
        expect(await pending).toEqual([]);
      }
      await io.of('/chat').adapter.close();
    }
    expect(published.some((m) => (m as { type?: number }).type === MessageType.FETCH_SOCKETS)).toBe(true);
  });

  it('@socket.io/cluster-adapter tags its IPC messages with the source the relay reads', () => {
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve('@socket.io/cluster-adapter'), 'utf8');
    expect(source).toContain(`MESSAGE_SOURCE = "${CLUSTER_MESSAGE_SOURCE}"`);
  });
});
