// Holding sockets as an attacker would: one account opening sockets without end (a cap per user, also
// against concurrent handshakes), and a socket outliving the session that signed it in (it follows the
// session's idle end; events the client sends count as activity, an open tab alone does not).
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { nextEvent } from '../support/realtime.js';
import { until } from '../support/wait.js';

const CAP = 3;
const IDLE_MS = 600_000;

describe('socket limits', () => {
  const clock = createManualClock(Date.now());
  let stack: TestStack;
  let node: TestNode;
  const opened: Socket[] = [];

  beforeAll(async () => {
    stack = await createTestStack({
      clock,
      config: { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false }, sessions: { idleTimeoutSec: IDLE_MS / 1000 }, realtime: { maxSocketsPerUser: CAP } },
    });
    node = await stack.startNode();
  }, 60_000);
  afterAll(async () => {
    for (const s of opened) s.disconnect();
    await stack?.dispose();
  });

  async function signedIn(label: string): Promise<{ client: TestClient; userId: string }> {
    const client = new TestClient(node.url);
    const user = freshUser(label);
    expect((await client.post('/api/auth/signup', user)).status).toBe(201);
    const login = await client.post('/api/auth/session/login', { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    return { client, userId: login.body.user.id };
  }

  const socketOf = (client: TestClient) => {
    const socket = io(`${node.url}/chat`, { autoConnect: false, reconnection: false, forceNew: true, transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader() } });
    opened.push(socket);
    return socket;
  };

  /** Resolves with 'connected', or the refusal's code. */
  const attempt = (socket: Socket) =>
    new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (error: Error & { data?: { error?: string } }) => resolve(error.data?.error ?? error.message));
      socket.connect();
    });

  const serverSockets = () => [...node.node.realtime.io.of('/chat').sockets.values()];
  const serverSocketOf = (userId: string) => serverSockets().find((s) => s.data.userId === userId);

  it(`one user holds at most ${CAP} sockets, however many handshakes race; others are unaffected`, async () => {
    const { client, userId } = await signedIn('cap');
    const outcomes = await Promise.all(Array.from({ length: CAP * 2 }, () => attempt(socketOf(client))));
    expect(outcomes.filter((o) => o === 'connected')).toHaveLength(CAP);
    expect(outcomes.filter((o) => o === 'GH_REALTIME_TOO_MANY_SOCKETS')).toHaveLength(CAP);
    expect(serverSockets().filter((s) => s.data.userId === userId)).toHaveLength(CAP);

    const other = await signedIn('cap-other');
    expect(await attempt(socketOf(other.client))).toBe('connected');

    // Closing one gives its place back.
    opened.find((s) => s.connected && s.io.opts.extraHeaders?.cookie === client.cookieHeader())!.disconnect();
    await until(() => serverSockets().filter((s) => s.data.userId === userId).length === CAP - 1, 'the server to see the socket go');
    expect(await attempt(socketOf(client))).toBe('connected');
    expect(await attempt(socketOf(client))).toBe('GH_REALTIME_TOO_MANY_SOCKETS');
  });

  it('a session socket ends when its session would expire for idleness, not before', async () => {
    const { client, userId } = await signedIn('idle');
    const socket = socketOf(client);
    expect(await attempt(socket)).toBe('connected');
    const ended = nextEvent<{ error: string }>(socket, 'auth:ended');
    clock.advance(IDLE_MS - 5_000);
    // No timer was due: the socket is still held, synchronously observable.
    expect(serverSocketOf(userId)?.connected).toBe(true);
    clock.advance(6_000);
    expect((await ended).error).toBe('GH_REALTIME_CREDENTIAL_EXPIRED');
    await until(() => !serverSocketOf(userId), 'the socket to be closed');
    expect((await client.get('/api/me')).status).toBe(401);
  });

  it('HTTP use of the session keeps its socket; the socket then ends at the new idle end', async () => {
    const { client, userId } = await signedIn('idle-http');
    const socket = socketOf(client);
    expect(await attempt(socket)).toBe('connected');
    const first = serverSocketOf(userId)!.data.credential.idleExpiresAt!;
    clock.advance(IDLE_MS / 2);
    expect((await client.get('/api/me')).status).toBe(200);
    const ended = nextEvent<{ error: string }>(socket, 'auth:ended');
    clock.advance(IDLE_MS / 2 + 2_000);
    // At the first idle end the socket looked the session up again and took its slid expiry.
    await until(() => (serverSocketOf(userId)?.data.credential.idleExpiresAt ?? 0) > first, 'the socket to take the slid idle end');
    expect(serverSocketOf(userId)!.connected).toBe(true);
    clock.advance(IDLE_MS / 2);
    expect((await ended).error).toBe('GH_REALTIME_CREDENTIAL_EXPIRED');
  });

  it("chat events count as activity: they slide the session's idle end like an HTTP request", async () => {
    const { client, userId } = await signedIn('idle-socket');
    const socket = socketOf(client);
    expect(await attempt(socket)).toBe('connected');
    const first = serverSocketOf(userId)!.data.credential.idleExpiresAt!;
    clock.advance(IDLE_MS / 2);
    await socket.timeout(15_000).emitWithAck('room:join', 'lobby');
    await until(() => (serverSocketOf(userId)?.data.credential.idleExpiresAt ?? 0) > first, 'the session to be slid by the event');
    clock.advance(IDLE_MS / 2 + 2_000);
    // Past the first idle end, only the socket's activity kept the session alive.
    expect((await client.get('/api/me')).status).toBe(200);
    expect(serverSocketOf(userId)?.connected).toBe(true);
  });

  it('ending the session ends its socket', async () => {
    const { client, userId } = await signedIn('idle-logout');
    const socket = socketOf(client);
    expect(await attempt(socket)).toBe('connected');
    const ended = nextEvent<{ error: string }>(socket, 'auth:ended');
    expect((await client.post('/api/auth/session/logout')).status).toBeLessThan(300);
    expect((await ended).error).toBe('GH_REALTIME_REVOKED');
    await until(() => !serverSocketOf(userId), 'the socket to be closed');
  });
});
