// Realtime chat end to end on real gatehouse nodes (buildApp) sharing PostgreSQL + Redis: two users on two
// nodes chat in a room with acks and presence; one switches to long-polling and keeps chatting; one
// drops off the network for ten seconds and comes back (through another node) with nothing missed or
// doubled; when a session is revoked, its socket closes at once. Real socket.io clients throughout.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestNode, type TestStack } from './support/app.js';
import { TestClient, freshUser } from './support/client.js';
import { chatClient, createNetworkHop, eventMatching, nextEvent, open, request, type ChatClient } from './support/realtime.js';
import { until } from './support/wait.js';

const SID = '__Host-gh.sid';
let stack: TestStack;
let nodes: TestNode[];
const clients: ChatClient[] = [];
const track = (c: ChatClient) => (clients.push(c), c);

async function signUp(node: TestNode, label: string) {
  const who = freshUser(label);
  const res = await new TestClient(node.url, { origin: null }).post('/api/auth/signup', who);
  expect(res.status).toBe(201);
  return who;
}

/**
 * A browser session on `node`: the session id from the HttpOnly cookie (as the browser would send it).
 * The page's origin is the nodes' one public URL (as behind the balancer), whichever node answers.
 */
async function sessionLogin(node: TestNode, who: { email: string; password: string }) {
  const browser = new TestClient(node.url, { origin: new URL(nodes[0]!.url).origin });
  const res = await browser.post('/api/auth/session/login', { email: who.email, password: who.password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const sessionId = browser.cookies.get(SID);
  expect(sessionId).toEqual(expect.any(String));
  return { browser, sessionId: sessionId! };
}

async function jwtLogin(node: TestNode, who: { email: string; password: string }) {
  const res = await new TestClient(node.url, { origin: null }).post('/api/auth/jwt/login', { email: who.email, password: who.password });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

beforeAll(async () => {
  stack = await createTestStack({ dialect: 'postgres', redis: true });
  const first = await stack.startNode();
  // One public URL for all nodes, as behind the balancer: one issuer, one browser origin.
  nodes = [first, await stack.startNode({ server: { publicUrl: first.url } }), await stack.startNode({ server: { publicUrl: first.url } })];
}, 120_000);
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => stack?.dispose());

describe('realtime on real gatehouse nodes (PostgreSQL + Redis Streams adapter)', () => {
  it('done when: chat across nodes with acks and presence, long-polling, ten seconds offline, revocation closes the socket', async () => {
    const [A, B, C] = nodes as [TestNode, TestNode, TestNode];
    const alice = await signUp(A, 'alice');
    const bob = await signUp(B, 'bob');
    const aliceSession = await sessionLogin(A, alice);
    const bobToken = await jwtLogin(B, bob);

    // Alice reaches node A through a hop we can cut (her network); Bob is on node B with a bearer token.
    const hop = await createNetworkHop(A.url);
    try {
      const aliceSocket = track(
        chatClient(hop.url, { sessionId: aliceSession.sessionId }, { transports: ['websocket'], reconnection: true, reconnectionDelay: 300, reconnectionDelayMax: 1_000 }),
      );
      await open(aliceSocket);
      const bobSocket = track(chatClient(B.url, { token: bobToken }));
      await open(bobSocket);

      // Presence and acks across nodes.
      await request(aliceSocket, 'room:join', 'done-when');
      const bothPresent = eventMatching<{ users: { name: string }[] }>(aliceSocket, 'presence', (p) => p.users.length === 2);
      await request(bobSocket, 'room:join', 'done-when');
      expect((await bothPresent).users.map((u) => u.name).sort()).toEqual([alice.name, bob.name].sort());

      const seenByAlice: string[] = [];
      aliceSocket.on('message:new', (m: { id: string }) => seenByAlice.push(m.id));
      const sentToRoom: string[] = [];
      const atBob = nextEvent<{ id: string; text: string; user: { name: string } }>(bobSocket, 'message:new');
      const hello = await request<{ id: string; ts: number }>(aliceSocket, 'message:send', { room: 'done-when', text: 'hi bob' });
      sentToRoom.push(hello.id);
      expect(hello).toEqual({ id: expect.any(String), ts: expect.any(Number) });
      expect(await atBob).toMatchObject({ id: hello.id, text: 'hi bob', user: { name: alice.name } });
      sentToRoom.push((await request<{ id: string }>(bobSocket, 'message:send', { room: 'done-when', text: 'hi alice' })).id);
      await until(() => seenByAlice.length === 2, 'reply over websocket');

      // Bob switches to long-polling only and keeps chatting.
      bobSocket.disconnect();
      const bobPolling = track(chatClient(C.url, { token: bobToken }, { transports: ['polling'] }));
      await open(bobPolling);
      expect(bobPolling.io.engine.transport.name).toBe('polling');
      await request(bobPolling, 'room:join', 'done-when');
      sentToRoom.push((await request<{ id: string }>(bobPolling, 'message:send', { room: 'done-when', text: 'now over polling' })).id);
      const toPoller = eventMatching<{ text: string }>(bobPolling, 'message:new', (m) => m.text === 'got it');
      sentToRoom.push((await request<{ id: string }>(aliceSocket, 'message:send', { room: 'done-when', text: 'got it' })).id);
      expect((await toPoller).text).toBe('got it');
      await until(() => seenByAlice.length === 4, 'alice sees the polling conversation');

      // Alice drops off the network for ten seconds; Bob keeps talking.
      hop.block();
      const down = nextEvent<string>(aliceSocket, 'disconnect');
      hop.cut();
      expect(await down).toBe('transport close');
      for (let i = 0; i < 5; i++) sentToRoom.push((await request<{ id: string }>(bobPolling, 'message:send', { room: 'done-when', text: `while you were away ${i}` })).id);
      await new Promise((resolve) => setTimeout(resolve, 10_000)); // the outage itself, not a wait for a result
      hop.target = B.url; // she comes back through another node
      hop.unblock();
      await nextEvent(aliceSocket, 'connect', 30_000);
      await until(() => seenByAlice.length >= sentToRoom.length, 'missed messages');
      sentToRoom.push((await request<{ id: string }>(bobPolling, 'message:send', { room: 'done-when', text: 'welcome back' })).id);
      await until(() => seenByAlice.length >= sentToRoom.length, 'live message after coming back');
      expect(aliceSocket.recovered).toBe(true);
      expect(seenByAlice).toEqual(sentToRoom); // nothing missed, nothing twice, in order
      const history = await request<{ messages: { id: string }[] }>(aliceSocket, 'history', { room: 'done-when', limit: 50 });
      expect(history.messages.map((m) => m.id)).toEqual(sentToRoom);

      // Direct message to Bob on whichever node he is.
      bobPolling.on('message:direct', (_m: unknown, ack: (ok: boolean) => void) => ack(true));
      expect(await request(aliceSocket, 'message:direct', { to: (await meId(C, bobToken)), text: 'psst' })).toMatchObject({ delivered: 1 });

      // Alice logs out: her session is revoked and her socket (now on node B) closes at once.
      const ended = nextEvent<{ error: string }>(aliceSocket, 'auth:ended');
      const closed = nextEvent<string>(aliceSocket, 'disconnect');
      const logout = await aliceSession.browser.post('/api/auth/session/logout', {});
      expect(logout.status).toBe(204);
      expect(await ended).toMatchObject({ error: 'GH_REALTIME_REVOKED' });
      expect(await closed).toBe('io server disconnect');
      expect(bobPolling.connected).toBe(true);
      const again = await open(track(chatClient(A.url, { sessionId: aliceSession.sessionId }))).catch((e: unknown) => e);
      expect((again as { data?: { error: string } }).data?.error).toMatch(/^GH_/);
    } finally {
      await hop.close();
    }
  }, 120_000);

  it('revoking the other devices closes their sockets; log out everywhere closes every socket of the user on every node', async () => {
    const [A, B, C] = nodes as [TestNode, TestNode, TestNode];
    const carol = await signUp(A, 'carol');
    const onA = await sessionLogin(A, carol);
    const first = await jwtLogin(B, carol);
    const sessionSocket = track(chatClient(A.url, { sessionId: onA.sessionId }));
    const firstSockets = [track(chatClient(B.url, { token: first })), track(chatClient(C.url, { token: first }, { transports: ['polling'] }))];
    for (const s of [sessionSocket, ...firstSockets]) await open(s);
    const dave = await signUp(C, 'dave');
    const daveSocket = track(chatClient(C.url, { token: await jwtLogin(C, dave) }));
    await open(daveSocket);

    // From a second browser session on node C: "sign out my other devices" — the session and the JWT
    // sign-in are both other devices.
    const other = await sessionLogin(C, carol);
    const othersGone = [sessionSocket, ...firstSockets].map((s) => nextEvent<string>(s, 'disconnect'));
    expect((await other.browser.post('/api/auth/sessions/revoke-others', {})).status).toBeLessThan(300);
    expect(await Promise.all(othersGone)).toEqual(['io server disconnect', 'io server disconnect', 'io server disconnect']);

    // "Log out everywhere": every socket of carol, whatever credential and node.
    const token = await jwtLogin(B, carol);
    const tokenSockets = [track(chatClient(B.url, { token })), track(chatClient(C.url, { token }, { transports: ['polling'] }))];
    for (const s of tokenSockets) await open(s);
    const allGone = tokenSockets.map((s) => nextEvent<string>(s, 'disconnect'));
    const ended = nextEvent<{ error: string; reason: string }>(tokenSockets[1]!, 'auth:ended');
    const everywhere = await new TestClient(B.url, { origin: null }).post('/api/auth/logout-everywhere', {}, { authorization: `Bearer ${token}` });
    expect(everywhere.status).toBe(204);
    expect(await ended).toMatchObject({ error: 'GH_REALTIME_REVOKED', reason: 'logout-everywhere' });
    expect(await Promise.all(allGone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(daveSocket.connected).toBe(true);
  }, 60_000);
});

async function meId(node: TestNode, token: string): Promise<string> {
  const me = await new TestClient(node.url, { origin: null }).get('/api/me', { authorization: `Bearer ${token}` });
  return (me.body.user?.id ?? me.body.userId) as string;
}
