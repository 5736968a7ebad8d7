// One Socket.IO server process for the realtime bench: `gatehouse` (createRealtime: JWT-authenticated
// handshake via jose, credential timers, validation, rate limiting, SQL history, connection-state
// recovery) or `plain` (bare socket.io 4 doing the same room fan-out with nothing else). Started with
// --expose-gc so memory samples are taken after a full collection.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { Server } from 'socket.io';
import { cryptoIds, loadConfig, silentLogger, systemClock, type Principal } from '../../src/core/index.js';
import { createDatabase, createRedis, migrateToLatest } from '../../src/storage/index.js';
import { createRealtime, type Realtime } from '../../src/realtime/index.js';
import type { ServerKind } from './protocol.js';

const kind = (process.env.BENCH_SERVER ?? 'plain') as ServerKind;
const send = (message: unknown) => process.send?.(message);
const httpServer = createServer();
let socketsNow: () => number;
let realtime: Realtime | null = null;

if (kind === 'gatehouse') {
  const publicKey = await importJWK(JSON.parse(process.env.BENCH_PUBLIC_JWK ?? '{}') as JWK, 'EdDSA');
  const dataDir = process.env.BENCH_DATA_DIR ?? '/tmp/gh-bench-realtime';
  const handle = createDatabase({ dataDir });
  await migrateToLatest(handle.db);
  const redisUrl = process.env.BENCH_REDIS_URL;
  const redis = redisUrl ? createRedis(redisUrl) : null;
  const { config } = loadConfig({
    storage: { keyPrefix: process.env.BENCH_KEY_PREFIX ?? 'ghbench:' },
    // The bench's one sender must not be rate-limited; everything else is the default.
    realtime: { messagesPerSecond: 1_000_000 },
  });
  realtime = await createRealtime({
    httpServer,
    origin: 'http://localhost',
    db: handle.db,
    redis,
    clock: systemClock,
    ids: cryptoIds,
    config,
    logger: silentLogger(),
    adapter: redis ? 'redis' : 'memory',
    authenticate: async (request) => {
      const token = request.authorization?.startsWith('Bearer ') ? request.authorization.slice(7) : undefined;
      if (!token) return null;
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ['EdDSA'] });
      const principal: Principal = {
        userId: String(payload.sub),
        email: `${String(payload.sub)}@bench.test`,
        name: null,
        roles: [],
        credential: { kind: 'jwt', id: String(payload.sid), expiresAt: (payload.exp ?? 0) * 1000, scopes: [] },
      };
      return principal;
    },
  });
  const chat = realtime.io.of('/chat');
  socketsNow = () => chat.sockets.size;
} else {
  // The same events and payload shapes, none of the gatehouse layer.
  const io = new Server(httpServer, { serveClient: false });
  const chat = io.of('/chat');
  let seq = 0;
  chat.on('connection', (socket) => {
    socket.on('room:join', (room: string, ack?: (r: unknown) => void) => {
      void socket.join(room);
      ack?.({ room });
    });
    socket.on('message:send', (payload: { room: string; text: string }, ack?: (r: unknown) => void) => {
      const id = String(++seq);
      const ts = Date.now();
      chat.to(payload.room).emit('message:new', { id, room: payload.room, user: { id: socket.id, name: null }, text: payload.text, ts });
      ack?.({ id, ts });
    });
  });
  socketsNow = () => chat.sockets.size;
}

process.on('message', (message: { command?: string }) => {
  if (message?.command === 'mem') {
    globalThis.gc?.();
    globalThis.gc?.();
    const m = process.memoryUsage();
    send({ mem: { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, sockets: socketsNow() } });
  }
  if (message?.command === 'exit') {
    void (realtime?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});

httpServer.listen(0, '127.0.0.1', () => send({ ready: (httpServer.address() as AddressInfo).port }));
