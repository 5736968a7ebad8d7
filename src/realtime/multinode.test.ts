import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../core/index.js';
import { createRedis, type RedisClient } from '../storage/index.js';
import { createTestDatabase, createTestRedis } from '../../test/support/services.js';
import {
  chatClient,
  createCredentialTable,
  createNetworkHop,
  eventMatching,
  nextEvent,
  open,
  principal,
  request,
  startChatNode,
  type ChatClient,
  type ChatNode,
} from '../../test/support/realtime.js';
import { until } from '../../test/support/wait.js';

// Three nodes in one process, each with its own Redis connections, sharing PostgreSQL and one Redis
// key prefix: everything that crosses nodes goes through the Redis Streams adapter.
const clock = createManualClock();
const table = createCredentialTable();
let handle: Awaited<ReturnType<typeof createTestDatabase>>;
let redisEnv: Awaited<ReturnType<typeof createTestRedis>>;
const redisClients: RedisClient[] = [];
const nodes: ChatNode[] = [];
const clients: ChatClient[] = [];

const client = (url: string, credential: { token?: string; sessionId?: string }, options = {}) => {
  const c = chatClient(url, credential, options);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  [handle, redisEnv] = await Promise.all([createTestDatabase('postgres'), createTestRedis()]);
  for (const u of ['alice', 'bob', 'carol']) table.tokens.set(`tok-${u}`, principal(u, 'jwt', `fam-${u}`, null));
  table.sessions.set('sess-bob', principal('bob', 'session', 'rec-bob', null));
  for (let i = 0; i < 3; i++) {
    const redis = createRedis(redisEnv.url);
    redisClients.push(redis);
    nodes.push(
      await startChatNode({
        db: handle.db,
        clock,
        table,
        redis,
        adapter: 'redis',
        config: { storage: { keyPrefix: redisEnv.prefix }, realtime: { messagesPerSecond: 1000 } },
      }),
    );
  }
});
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  for (const r of redisClients) r.disconnect();
  await redisEnv?.dispose();
  await handle?.dispose();
});

const A = () => nodes[0]!;
const B = () => nodes[1]!;
const C = () => nodes[2]!;

describe('across nodes on the Redis Streams adapter', () => {
  it('carries room messages and presence between nodes', async () => {
    const alice = await open(client(A().url, { token: 'tok-alice' }));
    const bob = await open(client(B().url, { token: 'tok-bob' }));
    await request(alice, 'room:join', 'general');
    const presence = eventMatching<{ users: { id: string }[] }>(alice, 'presence', (p) => p.users.length === 2);
    const joined = await request<{ users: { id: string }[] }>(bob, 'room:join', 'general');
    expect(joined.users.map((u) => u.id)).toEqual(['alice', 'bob']);
    expect((await presence).users.map((u) => u.id)).toEqual(['alice', 'bob']);

    const atBob = nextEvent<{ id: string; text: string }>(bob, 'message:new');
    const ack = await request<{ id: string }>(alice, 'message:send', { room: 'general', text: 'from node A' });
    expect(await atBob).toMatchObject({ id: ack.id, text: 'from node A' });

    const carol = await open(client(C().url, { token: 'tok-carol' }, { transports: ['polling'] }));
    await request(carol, 'room:join', 'general');
    const atCarol = nextEvent<{ text: string }>(carol, 'message:new');
    await request(bob, 'message:send', { room: 'general', text: 'from node B' });
    expect((await atCarol).text).toBe('from node B');
    expect((await request<{ users: { id: string }[] }>(alice, 'presence:get', 'general')).users.map((u) => u.id)).toEqual(['alice', 'bob', 'carol']);

    const left = eventMatching<{ users: { id: string }[] }>(alice, 'presence', (p) => p.users.length === 2);
    carol.disconnect();
    expect((await left).users.map((u) => u.id)).toEqual(['alice', 'bob']);
  });

  it('delivers a direct message to the user on whichever nodes they are', async () => {
    const alice = await open(client(A().url, { token: 'tok-alice' }));
    const bobs = [await open(client(B().url, { token: 'tok-bob' })), await open(client(C().url, { sessionId: 'sess-bob' }))];
    const got: string[] = [];
    for (const b of bobs) b.on('message:direct', (m: { text: string }, ack: (ok: boolean) => void) => (got.push(m.text), ack(true)));
    const ack = await request<{ delivered: number }>(alice, 'message:direct', { to: 'bob', text: 'across' });
    expect(ack.delivered).toBe(2);
    expect(got).toEqual(['across', 'across']);
  });

  it('disconnects a user, or one credential, on every node', async () => {
    const bobToken = await open(client(A().url, { token: 'tok-bob' }));
    const bobSession = await open(client(B().url, { sessionId: 'sess-bob' }));
    const alice = await open(client(C().url, { token: 'tok-alice' }));

    const sessionGone = nextEvent<string>(bobSession, 'disconnect');
    await C().realtime.disconnectCredential('session', 'rec-bob', 'session revoked');
    expect(await sessionGone).toBe('io server disconnect');
    expect(bobToken.connected).toBe(true);

    const ended = nextEvent<{ error: string }>(bobToken, 'auth:ended');
    const tokenGone = nextEvent<string>(bobToken, 'disconnect');
    await B().realtime.disconnectUser('bob', 'password-change');
    expect(await ended).toMatchObject({ error: 'GH_REALTIME_REVOKED', reason: 'password-change' });
    expect(await tokenGone).toBe('io server disconnect');
    expect(alice.connected).toBe(true);
  });

  it('reaches every node with an admin broadcast', async () => {
    const sockets = await Promise.all(nodes.map((n) => open(client(n.url, { token: 'tok-carol' }))));
    const all = sockets.map((s) => nextEvent<{ text: string }>(s, 'broadcast'));
    await A().realtime.broadcast('to everyone', principal('root', 'jwt', 'x', null, ['admin']));
    expect((await Promise.all(all)).map((m) => m.text)).toEqual(['to everyone', 'to everyone', 'to everyone']);
  });

  it('recovers a socket that dropped on one node and came back through another, nothing lost or doubled', async () => {
    const hop = await createNetworkHop(A().url);
    try {
      const alice = await open(client(hop.url, { token: 'tok-alice' }, { transports: ['websocket'], reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 400 }));
      const bob = await open(client(C().url, { token: 'tok-bob' }));
      await request(alice, 'room:join', 'roaming');
      await request(bob, 'room:join', 'roaming');
      const seen: string[] = [];
      alice.on('message:new', (m: { id: string }) => seen.push(m.id));
      const sent = [(await request<{ id: string }>(bob, 'message:send', { room: 'roaming', text: 'one' })).id];
      await until(() => seen.length === 1, 'first message');

      hop.block();
      const down = nextEvent(alice, 'disconnect');
      hop.cut();
      await down;
      for (let i = 0; i < 3; i++) sent.push((await request<{ id: string }>(bob, 'message:send', { room: 'roaming', text: `while away ${i}` })).id);
      hop.target = B().url; // the balancer sends the reconnect to another node
      hop.unblock();
      await nextEvent(alice, 'connect');
      expect(alice.recovered).toBe(true);
      await until(() => seen.length >= 4, 'missed messages');
      sent.push((await request<{ id: string }>(bob, 'message:send', { room: 'roaming', text: 'back' })).id);
      await until(() => seen.length >= 5, 'live message');
      expect(seen).toEqual(sent);
      expect(B().realtime.stats().sockets).toBeGreaterThanOrEqual(1);
    } finally {
      await hop.close();
    }
  });
});
