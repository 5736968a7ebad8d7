import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../core/index.js';
import { createTestDatabase } from '../../test/support/services.js';
import {
  chatClient,
  createCredentialTable,
  nextEvent,
  open,
  principal,
  request,
  startChatNode,
  TEST_ORIGIN,
  type ChatClient,
  type ChatNode,
} from '../../test/support/realtime.js';
import { until } from '../../test/support/wait.js';

const clock = createManualClock();
const table = createCredentialTable();
let handle: Awaited<ReturnType<typeof createTestDatabase>>;
let node: ChatNode;
const clients: ChatClient[] = [];

const client = (credential: { token?: string; sessionId?: string }, options = {}) => {
  const c = chatClient(node.url, credential, options);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  handle = await createTestDatabase('sqlite');
  table.tokens.set('tok-alice', principal('alice', 'jwt', 'fam-alice', null));
  table.tokens.set('tok-bob', principal('bob', 'jwt', 'fam-bob', null));
  table.tokens.set('tok-admin', principal('root', 'jwt', 'fam-root', null, ['admin']));
  table.sessions.set('sess-carol', principal('carol', 'session', 'sess-record-carol', null));
  // Third-party apps' OAuth tokens: no chat scope, read only, read and write.
  const oauth = (user: string, scopes: string[]) => ({ ...principal(user, 'oauth', `grant-${user}`, null), credential: { kind: 'oauth' as const, id: `grant-${user}`, expiresAt: null, scopes } });
  table.tokens.set('oauth-none', oauth('dave', ['profile:read']));
  table.tokens.set('oauth-read', oauth('erin', ['messages:read']));
  table.tokens.set('oauth-write', oauth('frank', ['messages:read', 'messages:write']));
  node = await startChatNode({ db: handle.db, clock, table, config: { realtime: { messagesPerSecond: 10, maxMessageBytes: 256 } } });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => {
  await node?.close();
  await handle?.dispose();
});

describe('handshake', () => {
  it('accepts a bearer token in auth.token and a session cookie, through the injected guard', async () => {
    const first = client({ token: 'tok-alice' });
    const whichNode = nextEvent<{ id: string }>(first, 'node');
    await open(first);
    expect(await whichNode).toEqual({ id: 'node' });
    await open(client({ sessionId: 'sess-carol' }));
    expect(node.realtime.stats().sockets).toBe(2);
  });

  it('refuses a socket with no credential with a coded connect_error', async () => {
    const error = await open(client({})).catch((e: unknown) => e);
    expect((error as { data?: { error: string } }).data?.error).toBe('GH_REALTIME_UNAUTHENTICATED');
  });

  it("passes the guard's own code through for a bad credential", async () => {
    const badToken = await open(client({ token: 'forged' })).catch((e: unknown) => e);
    expect((badToken as { data?: { error: string } }).data?.error).toBe('GH_TOKEN_INVALID');
    const badSession = await open(client({ sessionId: 'gone' })).catch((e: unknown) => e);
    expect((badSession as { data?: { error: string } }).data?.error).toBe('GH_SESSION_INVALID');
  });

  it('refuses sockets from a foreign browser origin and from the main namespace', async () => {
    const foreign = await open(client({ token: 'tok-alice' }, { extraHeaders: { origin: 'https://evil.example' } })).catch((e: unknown) => e);
    expect((foreign as { data?: { error: string } }).data?.error).toBe('GH_REALTIME_ORIGIN_REFUSED');
    await open(client({ token: 'tok-alice' }, { extraHeaders: { origin: TEST_ORIGIN } }));
    const { io } = await import('socket.io-client');
    const root = io(node.url, { autoConnect: false, reconnection: false, forceNew: true, auth: { token: 'tok-alice' } });
    clients.push(root);
    const refused = await open(root).catch((e: unknown) => e);
    expect((refused as { data?: { error: string } }).data?.error).toBe('GH_CORE_NOT_FOUND');
  });
});

describe("third-party apps' OAuth tokens", () => {
  it('need messages:read to connect and messages:write to speak', async () => {
    const none = await open(client({ token: 'oauth-none' })).catch((e: unknown) => e);
    expect((none as { data?: { error: string } }).data?.error).toBe('GH_TOKEN_INSUFFICIENT_SCOPE');

    const reader = client({ token: 'oauth-read' });
    await open(reader);
    expect(await request(reader, 'room:join', 'scopes')).toMatchObject({ room: 'scopes' });
    expect(await request(reader, 'message:send', { room: 'scopes', text: 'as erin' })).toMatchObject({ error: 'GH_TOKEN_INSUFFICIENT_SCOPE' });

    const writer = client({ token: 'oauth-write' });
    await open(writer);
    await request(writer, 'room:join', 'scopes');
    const seen = nextEvent<{ text: string }>(reader, 'message:new');
    expect(await request(writer, 'message:send', { room: 'scopes', text: 'as frank' })).toMatchObject({ id: expect.any(String) });
    expect((await seen).text).toBe('as frank');
  });
});

describe('rooms, acks and presence', () => {
  it('delivers a room message to every member with an {id, ts} ack and tracks presence', async () => {
    const alice = await open(client({ token: 'tok-alice' }));
    const carol = await open(client({ sessionId: 'sess-carol' }));
    const joined = await request<{ room: string; users: { id: string }[] }>(alice, 'room:join', 'lobby');
    expect(joined).toEqual({ room: 'lobby', users: [{ id: 'alice', name: 'ALICE' }] });
    const presence = nextEvent<{ room: string; users: { id: string }[] }>(alice, 'presence');
    await request(carol, 'room:join', 'lobby');
    expect((await presence).users.map((u) => u.id)).toEqual(['alice', 'carol']);

    const received = nextEvent<{ id: string; room: string; user: { id: string }; text: string; ts: number }>(carol, 'message:new');
    const ack = await request<{ id: string; ts: number }>(alice, 'message:send', { room: 'lobby', text: 'hello 👋' });
    expect(ack.ts).toBe(clock.now());
    expect(await received).toEqual({ id: ack.id, room: 'lobby', user: { id: 'alice', name: 'ALICE' }, text: 'hello 👋', ts: ack.ts });

    const afterLeave = nextEvent<{ users: { id: string }[] }>(alice, 'presence');
    await request(carol, 'room:leave', 'lobby');
    expect((await afterLeave).users.map((u) => u.id)).toEqual(['alice']);
    expect(await request(carol, 'message:send', { room: 'lobby', text: 'x' })).toMatchObject({ error: 'GH_REALTIME_NOT_IN_ROOM' });
  });

  it('serves history in pages to members only', async () => {
    const bob = await open(client({ token: 'tok-bob' }));
    expect(await request(bob, 'history', { room: 'archive' })).toMatchObject({ error: 'GH_REALTIME_NOT_IN_ROOM' });
    await request(bob, 'room:join', 'archive');
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push((await request<{ id: string }>(bob, 'message:send', { room: 'archive', text: `n${i}` })).id);
      clock.advance(200); // stay under the rate limit
    }
    const last = await request<{ messages: { id: string; text: string }[]; more: boolean }>(bob, 'history', { room: 'archive', limit: 2 });
    expect(last.messages.map((m) => m.text)).toEqual(['n3', 'n4']);
    expect(last.more).toBe(true);
    const before = await request<{ messages: { text: string }[] }>(bob, 'history', { room: 'archive', before: last.messages[0]!.id, limit: 10 });
    expect(before.messages.map((m) => m.text)).toEqual(['n0', 'n1', 'n2']);
    const after = await request<{ messages: { id: string }[] }>(bob, 'history', { room: 'archive', after: sent[1] });
    expect(after.messages.map((m) => m.id)).toEqual(sent.slice(2));
  });

  it('sends a direct message to every socket of the user and counts delivery acks', async () => {
    const alice = await open(client({ token: 'tok-alice' }));
    const bob1 = await open(client({ token: 'tok-bob' }));
    const bob2 = await open(client({ token: 'tok-bob' }));
    const seen: string[] = [];
    for (const b of [bob1, bob2]) b.on('message:direct', (m: { text: string; from: { id: string } }, ack: (ok: boolean) => void) => {
      seen.push(`${m.from.id}:${m.text}`);
      ack(true);
    });
    const ack = await request<{ id: string; delivered: number }>(alice, 'message:direct', { to: 'bob', text: 'psst' });
    expect(ack.delivered).toBe(2);
    expect(seen).toEqual(['alice:psst', 'alice:psst']);
    const nobody = await request<{ delivered: number }>(alice, 'message:direct', { to: 'nobody-online', text: 'hi' });
    expect(nobody.delivered).toBe(0);
    const conversation = await request<{ messages: { text: string; user: { id: string } }[] }>(bob1, 'history:direct', { with: 'alice' });
    expect(conversation.messages.map((m) => `${m.user.id}:${m.text}`)).toEqual(['alice:psst']);
    const other = await request<{ messages: unknown[] }>(bob1, 'history:direct', { with: 'nobody-online' });
    expect(other.messages).toEqual([]); // alice's message to someone else is not bob's to read
  });

  it('lets only admins broadcast, to every socket', async () => {
    const alice = await open(client({ token: 'tok-alice' }));
    const admin = await open(client({ token: 'tok-admin' }));
    expect(await request(alice, 'broadcast', { text: 'all hands' })).toMatchObject({ error: 'GH_REALTIME_FORBIDDEN' });
    const got = nextEvent<{ text: string; user: { id: string } }>(alice, 'broadcast');
    await request(admin, 'broadcast', { text: 'all hands' });
    expect(await got).toMatchObject({ text: 'all hands', user: { id: 'root' } });
    const fromServer = nextEvent<{ text: string }>(alice, 'broadcast');
    await node.realtime.broadcast('maintenance at noon', principal('root', 'jwt', 'x', null, ['admin']));
    expect((await fromServer).text).toBe('maintenance at noon');
  });

  it('relays a volatile typing hint to the other members only', async () => {
    const alice = await open(client({ token: 'tok-alice' }));
    const bob = await open(client({ token: 'tok-bob' }));
    await request(alice, 'room:join', 'typing-room');
    await request(bob, 'room:join', 'typing-room');
    let aliceSawOwn = false;
    alice.on('typing', () => (aliceSawOwn = true));
    const hint = nextEvent<{ room: string; user: { id: string } }>(bob, 'typing');
    alice.emit('typing', { room: 'typing-room' });
    expect(await hint).toEqual({ room: 'typing-room', user: { id: 'alice', name: 'ALICE' } });
    await request(alice, 'presence:get', 'typing-room'); // a round trip after the hint
    expect(aliceSawOwn).toBe(false);
  });

  it('works over long-polling only', async () => {
    const poller = await open(client({ token: 'tok-alice' }, { transports: ['polling'] }));
    const ws = await open(client({ token: 'tok-bob' }, { transports: ['websocket'] }));
    expect(poller.io.engine.transport.name).toBe('polling');
    await request(poller, 'room:join', 'mixed');
    await request(ws, 'room:join', 'mixed');
    const toPoller = nextEvent<{ text: string }>(poller, 'message:new');
    await request(ws, 'message:send', { room: 'mixed', text: 'over websocket' });
    expect((await toPoller).text).toBe('over websocket');
    const toWs = nextEvent<{ text: string }>(ws, 'message:new');
    await request(poller, 'message:send', { room: 'mixed', text: 'over polling' });
    expect((await toWs).text).toBe('over polling');
  });
});

describe('bad input', () => {
  it('answers every malformed payload with a coded ack and keeps the socket', async () => {
    const alice = await open(client({ token: 'tok-alice' }));
    const bad: [string, unknown][] = [
      ['room:join', 42],
      ['room:join', 'user:bob'],
      ['room:join', 'x'.repeat(65)],
      ['room:join', null],
      ['message:send', { room: 'lobby' }],
      ['message:send', 'text'],
      ['message:send', { room: 'lobby', text: 7 }],
      ['history', { room: 'lobby', before: "1' OR '1'='1" }],
      ['history', { room: 'lobby', limit: -1 }],
      ['auth:refresh', { token: 5 }],
      ['message:direct', { to: '', text: 'x' }],
    ];
    for (const [event, payload] of bad) {
      expect(await request(alice, event, payload), `${event} ${JSON.stringify(payload)}`).toMatchObject({ error: 'GH_REALTIME_INVALID_PAYLOAD' });
      clock.advance(200);
    }
    expect(await request(alice, 'no:such:event', {})).toMatchObject({ error: 'GH_REALTIME_UNKNOWN_EVENT' });
    const error = nextEvent<{ event: string; error: string }>(alice, 'chat:error');
    alice.emit('room:join', { not: 'a room' });
    expect(await error).toMatchObject({ event: 'room:join', error: 'GH_REALTIME_INVALID_PAYLOAD' });
    clock.advance(1000);
    expect(await request(alice, 'room:join', 'still-fine')).toMatchObject({ room: 'still-fine' });
  });

  it('limits message size in bytes and messages per second', async () => {
    const bob = await open(client({ token: 'tok-bob' }));
    clock.advance(5_000);
    await request(bob, 'room:join', 'limits');
    expect(await request(bob, 'message:send', { room: 'limits', text: 'é'.repeat(129) })).toMatchObject({
      error: 'GH_REALTIME_MESSAGE_TOO_LARGE',
      maxBytes: 256,
    });
    clock.advance(5_000);
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await request<{ error?: string }>(bob, 'message:send', { room: 'limits', text: `r${i}` }));
    expect(results.filter((r) => !r.error)).toHaveLength(10);
    expect(results.at(-1)).toMatchObject({ error: 'GH_REALTIME_RATE_LIMITED' });
    clock.advance(1_000);
    expect(await request(bob, 'message:send', { room: 'limits', text: 'later' })).toHaveProperty('id');
  });

  it('cuts off a packet larger than the buffer limit without harming the node', async () => {
    const alice = await open(client({ token: 'tok-alice' }, { transports: ['websocket'] }));
    const closed = nextEvent<string>(alice, 'disconnect');
    alice.emit('message:send', { room: 'lobby', text: 'x'.repeat(2_000_000) });
    expect(await closed).toBe('transport close');
    const again = await open(client({ token: 'tok-alice' }));
    expect(await request(again, 'room:join', 'lobby')).toMatchObject({ room: 'lobby' });
  });
});

describe('credential lifecycle on live sockets', () => {
  it('warns before expiry and disconnects at expiry', async () => {
    const expiresAt = clock.now() + 120_000;
    table.tokens.set('tok-short', principal('dave', 'jwt', 'fam-dave', expiresAt));
    const dave = await open(client({ token: 'tok-short' }));
    const warning = nextEvent<{ expiresAt: number }>(dave, 'auth:expiring');
    clock.advance(61_000);
    expect(await warning).toEqual({ expiresAt });
    const ended = nextEvent<{ error: string }>(dave, 'auth:ended');
    const gone = nextEvent<string>(dave, 'disconnect');
    clock.advance(59_000);
    expect(await ended).toMatchObject({ error: 'GH_REALTIME_CREDENTIAL_EXPIRED' });
    expect(await gone).toBe('io server disconnect');
  });

  it('keeps a socket alive past expiry when auth:refresh brings a fresh token of the same user', async () => {
    const first = clock.now() + 120_000;
    table.tokens.set('tok-e1', principal('erin', 'jwt', 'fam-erin', first));
    const erin = await open(client({ token: 'tok-e1' }));
    table.tokens.set('tok-other', principal('mallory', 'jwt', 'fam-m', first + 600_000));
    expect(await request(erin, 'auth:refresh', { token: 'tok-other' })).toMatchObject({ error: 'GH_REALTIME_REFRESH_MISMATCH' });
    expect(await request(erin, 'auth:refresh', { token: 'nope' })).toMatchObject({ error: 'GH_TOKEN_INVALID' });
    const second = first + 600_000;
    table.tokens.set('tok-e2', principal('erin', 'jwt', 'fam-erin', second));
    expect(await request(erin, 'auth:refresh', { token: 'tok-e2' })).toEqual({ expiresAt: second });
    let ended = false;
    erin.on('auth:ended', () => (ended = true));
    clock.advance(121_000);
    expect(await request(erin, 'room:join', 'still-here')).toMatchObject({ room: 'still-here' });
    expect(ended).toBe(false);
    const warning = nextEvent<{ expiresAt: number }>(erin, 'auth:expiring');
    clock.advance(second - clock.now() - 59_000);
    expect(await warning).toEqual({ expiresAt: second });
    const gone = nextEvent<string>(erin, 'disconnect');
    clock.advance(60_000);
    expect(await gone).toBe('io server disconnect');
  });

  it('disconnects all of a user\'s sockets, or only one credential\'s, and the socket cannot come back', async () => {
    table.sessions.set('sess-f1', principal('frank', 'session', 'rec-f1', null));
    table.sessions.set('sess-f2', principal('frank', 'session', 'rec-f2', null));
    const f1 = await open(client({ sessionId: 'sess-f1' }));
    const f2 = await open(client({ sessionId: 'sess-f2' }));
    const bystander = await open(client({ token: 'tok-bob' }));

    const ended = nextEvent<{ error: string; reason: string }>(f1, 'auth:ended');
    const f1gone = nextEvent<string>(f1, 'disconnect');
    table.sessions.delete('sess-f1');
    await node.realtime.disconnectCredential('session', 'rec-f1', 'session revoked');
    expect(await ended).toEqual({ error: 'GH_REALTIME_REVOKED', message: expect.any(String), reason: 'session revoked' });
    expect(await f1gone).toBe('io server disconnect');
    expect(f2.connected).toBe(true);
    const retry = await open(client({ sessionId: 'sess-f1' })).catch((e: unknown) => e);
    expect((retry as { data?: { error: string } }).data?.error).toBe('GH_SESSION_INVALID');

    const f2gone = nextEvent<string>(f2, 'disconnect');
    await node.realtime.disconnectUser('frank', 'logout-everywhere');
    expect(await f2gone).toBe('io server disconnect');
    expect(await request(bystander, 'room:join', 'unaffected')).toMatchObject({ room: 'unaffected' });
  });
});

describe('connection-state recovery', () => {
  it('gives a briefly dropped socket what it missed, once, in order', async () => {
    const grace = await open(client({ token: 'tok-alice' }, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 }));
    const bob = await open(client({ token: 'tok-bob' }));
    await request(grace, 'room:join', 'recover');
    await request(bob, 'room:join', 'recover');
    const seen: string[] = [];
    grace.on('message:new', (m: { id: string }) => seen.push(m.id));
    const first = await request<{ id: string }>(bob, 'message:send', { room: 'recover', text: 'before' });
    await until(() => seen.length === 1, 'first message');

    const down = nextEvent(grace, 'disconnect');
    grace.io.engine.close(); // the network drops under the client
    await down;
    const sent = [first.id];
    for (let i = 0; i < 3; i++) {
      clock.advance(200);
      sent.push((await request<{ id: string }>(bob, 'message:send', { room: 'recover', text: `missed ${i}` })).id);
    }
    await nextEvent(grace, 'connect');
    expect(grace.recovered).toBe(true);
    await until(() => seen.length >= 4, 'missed messages');
    clock.advance(200);
    sent.push((await request<{ id: string }>(bob, 'message:send', { room: 'recover', text: 'after' })).id);
    await until(() => seen.length >= 5, 'live message after recovery');
    expect(seen).toEqual(sent);
  });

  it('does not replay missed messages to a socket whose credential was revoked meanwhile', async () => {
    table.tokens.set('tok-gina', principal('gina', 'jwt', 'fam-gina', null));
    const gina = await open(client({ token: 'tok-gina' }, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200, reconnectionAttempts: 1 }));
    const bob = await open(client({ token: 'tok-bob' }));
    await request(gina, 'room:join', 'secret');
    await request(bob, 'room:join', 'secret');
    const seen: string[] = [];
    gina.on('message:new', (m: { text: string }) => seen.push(m.text));
    // Below the socket: every packet that reaches the client's manager, delivered to the app or not.
    const wire: string[] = [];
    gina.io.on('packet', (packet: { data?: unknown }) => wire.push(JSON.stringify(packet.data ?? null)));
    const down = nextEvent(gina, 'disconnect');
    gina.io.engine.close();
    await down;
    table.tokens.delete('tok-gina');
    clock.advance(200);
    await request(bob, 'message:send', { room: 'secret', text: 'not for gina' });
    const refused = await nextEvent<{ data?: { error: string } }>(gina, 'connect_error');
    expect(refused.data?.error).toBe('GH_TOKEN_INVALID');
    await request(bob, 'presence:get', 'secret');
    expect(seen).toEqual([]);
    expect(wire.filter((p) => p.includes('not for gina'))).toEqual([]);
  });
});

describe('slow consumers', () => {
  it('drops a socket that stops reading once its queue passes the limit', async () => {
    const slowNode = await startChatNode({
      db: handle.db,
      clock,
      table,
      config: { realtime: { messagesPerSecond: 1000 } },
      limits: { maxBufferedPackets: 20 },
    });
    try {
      // A raw long-polling client that completes the handshake and then never polls again.
      const base = `${slowNode.url}/socket.io/?EIO=4&transport=polling`;
      const opened = await (await fetch(base)).text();
      const sid = (JSON.parse(opened.slice(1)) as { sid: string }).sid;
      const post = (body: string) => fetch(`${base}&sid=${sid}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
      await post('40/chat,{"token":"tok-alice"}');
      await until(() => slowNode.realtime.stats().sockets === 1, 'raw socket connected');
      await post('42/chat,["room:join","flood"]');
      const speaker = chatClient(slowNode.url, { token: 'tok-bob' });
      clients.push(speaker);
      await open(speaker);
      await request(speaker, 'room:join', 'flood');
      await until(() => slowNode.realtime.stats().sockets === 2 && slowNode.realtime.stats().rooms === 1, 'both in room');
      for (let i = 0; i < 40 && slowNode.realtime.stats().sockets === 2; i++) {
        await request(speaker, 'message:send', { room: 'flood', text: `flood ${i}` });
      }
      await until(() => slowNode.realtime.stats().sockets === 1, 'slow consumer dropped');
      expect(speaker.connected).toBe(true);
    } finally {
      await slowNode.close();
    }
  });
});
