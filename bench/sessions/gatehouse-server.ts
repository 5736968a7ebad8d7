// One real gatehouse node for `npm run bench -- sessions`, in its own process so the load generator
// does not share its event loop. argv: <store: memory|sql|redis> <credential: none|session|cookie>.
// Logs in over the real login route (inject) and prints one JSON line {port, path, cookie, bench} on
// stdout. `bench` is a second, plain Fastify server in the same process whose routes do the same work
// (one user read, the same answer) and differ only in authentication: none, or gatehouse's guard.
import cookiePlugin from '@fastify/cookie';
import Fastify from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, requestCredentials } from '../../src/http/index.js';
import { BENCH_SECRET, BENCH_USER, redisUrl, type ServerLine } from './common.js';

const store = (process.argv[2] ?? 'memory') as 'memory' | 'sql' | 'redis';
const credential = (process.argv[3] ?? 'session') as 'none' | 'session' | 'cookie';

const dir = await mkdtemp(join(tmpdir(), 'gh-bench-sessions-'));
const prefix = `gh-bench-sessions-${process.pid}:`;
const node = await buildApp({
  env: { GATEHOUSE_SECRET: BENCH_SECRET },
  config: {
    server: { host: '127.0.0.1', port: 0, dataDir: dir, publicUrl: 'http://127.0.0.1:1', nodeId: `bench-${store}` },
    storage: store === 'redis' ? { redisUrl: redisUrl(), keyPrefix: prefix } : {},
    sessions: { store },
  },
});
const user = await node.ctx.identity.signup({ ...BENCH_USER, name: 'Bench' });

let cookie = '';
let path = '/healthz';
if (credential !== 'none') {
  const login = await node.app.inject({ method: 'POST', url: `/api/auth/${credential}/login`, payload: BENCH_USER });
  if (login.statusCode !== 200) throw new Error(`bench login (${credential}) answered ${login.statusCode}`);
  const name = credential === 'session' ? node.ctx.cookies.names.session : node.ctx.cookies.names.auth;
  const set = login.cookies.find((c) => c.name === name);
  if (!set) throw new Error(`bench login (${credential}) set no ${name} cookie`);
  cookie = `${set.name}=${set.value}`;
  path = '/api/me';
}
// Fail here, not as a table full of 401s, when the credential does not authenticate.
const check = await node.app.inject({ method: 'GET', url: path, headers: cookie ? { cookie } : {} });
if (check.statusCode !== 200) throw new Error(`bench check ${path} answered ${check.statusCode}`);

const { ctx } = node;
const me = async (userId: string, credential: unknown) => {
  const u = await ctx.identity.getUser(userId);
  return u ? { user: { id: u.id, email: u.email, name: u.name, roles: u.roles, createdAt: u.createdAt }, credential } : null;
};
const bench = Fastify({ logger: false });
await bench.register(cookiePlugin);
bench.get('/baseline/me', async () => me(user.id, null));
bench.get('/guarded/me', async (request, reply) => {
  try {
    const principal = await ctx.authenticate(requestCredentials(request, ctx.origin));
    if (principal) return await me(principal.userId, principal.credential);
  } catch {
    // Falls through to the 401 below.
  }
  return reply.status(401).send({ error: 'GH_AUTH_UNAUTHENTICATED' });
});
await bench.listen({ host: '127.0.0.1', port: 0 });
const benchPath = credential === 'none' ? '/baseline/me' : '/guarded/me';
const benchCheck = await bench.inject({ method: 'GET', url: benchPath, headers: cookie ? { cookie } : {} });
if (benchCheck.statusCode !== 200) throw new Error(`bench check ${benchPath} answered ${benchCheck.statusCode}`);

const port = await node.listen();
const line: ServerLine = { port, path, cookie, bench: { port: (bench.server.address() as AddressInfo).port, path: benchPath } };
process.stdout.write(`${JSON.stringify(line)}\n`);

const stop = async () => {
  if (store === 'redis' && node.ctx.redis) {
    const keys = await node.ctx.redis.keys(`${prefix}*`);
    if (keys.length) await node.ctx.redis.del(...keys);
  }
  await bench.close();
  await node.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
