import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { ClusterAdapterWithHeartbeat, type ClusterMessage, type ClusterResponse } from 'socket.io-adapter';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { watchCrossNodeRequests } from './cross-node.js';

/**
 * Real socket.io-adapter cluster adapters (the class the IPC cluster adapter extends) linked in one
 * process: every published message reaches the other members on a later turn, and a member can be
 * frozen — it neither receives (messages wait for the thaw) nor sends — like a SIGSTOPped node.
 */
function createBus() {
  const members = new Set<LinkedAdapter>();
  const frozen = new Map<LinkedAdapter, (() => void)[]>();
  const deliver = (to: LinkedAdapter, message: ClusterMessage | ClusterResponse) => {
    // As the IPC adapter does: each namespace's adapter only hears its own namespace.
    if (message.nsp !== to.nsp.name) return;
    const run = () => to.receive(message);
    const queue = frozen.get(to);
    if (queue) queue.push(run);
    else setImmediate(run);
  };
  class LinkedAdapter extends ClusterAdapterWithHeartbeat {
    constructor(nsp: unknown) {
      // Heartbeats often, and never forgotten for silence: what is tested is the requests' own rule.
      super(nsp, { heartbeatInterval: 50, heartbeatTimeout: 600_000 });
      members.add(this);
    }
    receive(message: ClusterMessage | ClusterResponse) {
      this.onMessage(message as ClusterMessage);
    }
    protected doPublish(message: ClusterMessage) {
      if (!frozen.has(this)) for (const other of members) if (other !== this) deliver(other, message);
      return Promise.resolve('');
    }
    protected doPublishResponse(requesterUid: string, response: ClusterResponse) {
      if (!frozen.has(this)) for (const other of members) if (other.uidOf() === requesterUid) deliver(other, response);
      return Promise.resolve();
    }
    uidOf(): string {
      return this.uid;
    }
    override close() {
      members.delete(this);
      return super.close();
    }
  }
  return {
    adapter: LinkedAdapter,
    freeze(member: unknown) {
      frozen.set(member as LinkedAdapter, []);
    },
    thaw(member: unknown) {
      const queue = frozen.get(member as LinkedAdapter) ?? [];
      frozen.delete(member as LinkedAdapter);
      for (const run of queue) setImmediate(run);
    },
  };
}

const TIMEOUT_MS = 300;
const servers: Server[] = [];
const clients: ClientSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => void s.close(() => resolve()))));
});

async function startNode(bus: ReturnType<typeof createBus>) {
  const http = createServer();
  const io = new Server(http, { adapter: bus.adapter as never });
  servers.push(io);
  const chat = io.of('/chat');
  chat.on('connection', (socket) => socket.join('lobby'));
  const watch = watchCrossNodeRequests(chat.adapter, TIMEOUT_MS);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/chat`;
  return { chat, watch, url };
}

async function connectTo(url: string): Promise<ClientSocket> {
  const socket = connect(url, { transports: ['websocket'] });
  clients.push(socket);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return socket;
}

const lobby = async (node: Awaited<ReturnType<typeof startNode>>) => (await node.chat.in('lobby').fetchSockets()).length;

describe('cross-node requests', () => {
  it('wait for a frozen node once, then skip it until it is heard from again', async () => {
    const bus = createBus();
    const [a, b, c] = [await startNode(bus), await startNode(bus), await startNode(bus)];
    await Promise.all([connectTo(a.url), connectTo(b.url), connectTo(c.url)]);
    // Every node knows the others (heartbeats), so presence counts all three.
    await expect.poll(() => lobby(a), { timeout: 30_000 }).toBe(3);
    const frozenUid = c.watch.stats().uid!;

    bus.freeze(c.chat.adapter);
    const before = a.watch.stats();
    // The first request waits out the timeout for the frozen node and answers with the others' sockets.
    expect(await lobby(a)).toBe(2);
    const afterFirst = a.watch.stats();
    expect(afterFirst.partial - before.partial).toBe(1);
    expect(afterFirst.waitedFor[frozenUid]).toBe(1);
    // The next ones do not wait for it at all: they are answered by the live nodes alone.
    expect(await lobby(a)).toBe(2);
    expect(await lobby(a)).toBe(2);
    const afterMore = a.watch.stats();
    expect(afterMore.waitedFor[frozenUid]).toBe(1);
    expect(afterMore.partial).toBe(afterFirst.partial);
    expect(afterMore.skipped - afterFirst.skipped).toBe(2);
    // The other live node was waited for and answered every time.
    expect(afterMore.waitedFor[b.watch.stats().uid!]).toBeUndefined();

    // Thawed, it speaks again (a late answer, a heartbeat) and is waited for again.
    bus.thaw(c.chat.adapter);
    await expect.poll(() => lobby(a), { timeout: 30_000 }).toBe(3);
    expect(a.watch.stats().waitedFor[frozenUid]).toBe(1);
  });

  it('answer at once when the only other node is known to be unresponsive', async () => {
    const bus = createBus();
    const [a, b] = [await startNode(bus), await startNode(bus)];
    await connectTo(a.url);
    await connectTo(b.url);
    await expect.poll(() => lobby(a), { timeout: 30_000 }).toBe(2);
    bus.freeze(b.chat.adapter);
    expect(await lobby(a)).toBe(1);
    const requestsBefore = a.watch.stats();
    expect(await lobby(a)).toBe(1);
    const after = a.watch.stats();
    expect(after.requests - requestsBefore.requests).toBe(1);
    expect(after.skipped - requestsBefore.skipped).toBe(1);
    expect(after.partial).toBe(requestsBefore.partial);
    bus.thaw(b.chat.adapter);
  });

  it('count nothing on the in-memory adapter (one node)', () => {
    const io = new Server();
    expect(watchCrossNodeRequests(io.of('/chat').adapter, TIMEOUT_MS).stats()).toEqual({ uid: null, requests: 0, partial: 0, waitedFor: {}, skipped: 0 });
  });
});
