// The peers of `npm run bench -- sessions`, each in its own process: GET /api/me guarded by
// express-session (express 5) or by @fastify/session, on connect-redis over the same Redis (or
// @fastify/session's own memory store), answering from the same SQLite user table as gatehouse does;
// and `bare`, a Fastify 5 route with no plugin at all (the floor of any Fastify server).
// argv: <express-session|fastify-session|bare> [rolling|fixed] [redis|memory].
// Prints one JSON line {port, path, cookie} once logged in.
import cookiePlugin from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { RedisStore } from 'connect-redis';
import express from 'express';
import expressSession from 'express-session';
import Fastify from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createContext } from '../../src/http/index.js';
import { BENCH_SECRET, BENCH_USER, redisUrl, type ServerLine } from './common.js';

const peer = process.argv[2] ?? 'express-session';
const rolling = (process.argv[3] ?? 'rolling') === 'rolling';
const inMemory = process.argv[4] === 'memory';
// Same idle timeout as gatehouse's default (30 min); cookies without Secure: the load is plain HTTP.
const IDLE_MS = 30 * 60 * 1000;

const dir = await mkdtemp(join(tmpdir(), 'gh-bench-peer-'));
const ctx = await createContext({
  env: { GATEHOUSE_SECRET: BENCH_SECRET },
  config: { server: { host: '127.0.0.1', port: 0, dataDir: dir, publicUrl: 'http://127.0.0.1:1' }, sessions: { store: 'memory' } },
});
const user = await ctx.identity.signup({ ...BENCH_USER, name: 'Bench' });
const redis = createClient({ url: redisUrl() });
await redis.connect();
const prefix = `gh-bench-peer-${process.pid}:`;
const store = new RedisStore({ client: redis, prefix });

// The same answer as gatehouse's /api/me: the user read from the store, and which credential it was.
const me = async (userId: string, sessionId: string) => {
  const u = await ctx.identity.getUser(userId);
  return u ? { user: { id: u.id, email: u.email, name: u.name, roles: u.roles, createdAt: u.createdAt }, credential: { kind: 'session', id: sessionId } } : null;
};

let port: number;
let close: () => Promise<void>;
if (peer === 'bare') {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  close = () => app.close();
} else if (peer === 'express-session') {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    expressSession({
      store,
      secret: BENCH_SECRET,
      name: 'sid',
      // The settings express-session's README recommends: no write for unchanged or empty sessions.
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: IDLE_MS },
    }),
  );
  app.post('/login', (req, res) => {
    (req.session as unknown as { userId?: string }).userId = user.id;
    res.json({ ok: true });
  });
  app.get('/api/me', (req, res, next) => {
    const userId = (req.session as unknown as { userId?: string }).userId;
    if (!userId) {
      res.status(401).json({ error: 'unauthenticated' });
      return;
    }
    me(userId, req.sessionID).then((body) => (body ? res.json(body) : res.status(401).json({ error: 'unauthenticated' })), next);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  port = (server.address() as AddressInfo).port;
  close = () => new Promise((resolve) => server.close(() => resolve()));
} else {
  const app = Fastify({ logger: false });
  await app.register(cookiePlugin);
  await app.register(fastifySession, {
    // Without a store @fastify/session keeps sessions in its own in-process map.
    ...(inMemory ? {} : { store: store as unknown as fastifySession.SessionStore }),
    secret: BENCH_SECRET,
    cookieName: 'sid',
    saveUninitialized: false,
    rolling,
    cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: IDLE_MS },
  });
  type Loose = { get(key: string): unknown; set(key: string, value: unknown): void; sessionId: string };
  app.post('/login', async (request) => {
    (request.session as unknown as Loose).set('userId', user.id);
    return { ok: true };
  });
  app.get('/api/me', async (request, reply) => {
    const session = request.session as unknown as Loose;
    const userId = session.get('userId');
    const body = typeof userId === 'string' ? await me(userId, session.sessionId) : null;
    return body ?? reply.status(401).send({ error: 'unauthenticated' });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  close = () => app.close();
}

const base = `http://127.0.0.1:${port}`;
let line: ServerLine = { port, path: '/healthz', cookie: '' };
if (peer !== 'bare') {
  const login = await fetch(`${base}/login`, { method: 'POST' });
  const setCookie = login.headers.getSetCookie().find((c) => c.startsWith('sid='));
  if (login.status !== 200 || !setCookie) throw new Error(`${peer} login answered ${login.status} without a sid cookie`);
  const cookie = setCookie.split(';')[0]!;
  const check = await fetch(`${base}/api/me`, { headers: { cookie } });
  if (check.status !== 200) throw new Error(`${peer} check /api/me answered ${check.status}`);
  line = { port, path: '/api/me', cookie };
}
process.stdout.write(`${JSON.stringify(line)}\n`);

const stop = async () => {
  await close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(keys);
  await redis.quit();
  await ctx.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
