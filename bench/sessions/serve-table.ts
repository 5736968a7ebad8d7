// The table of `npm run bench -- sessions` that measures what users run: `gatehouse serve` nodes with
// their default settings (embedded SQLite, default logging; and the same with REDIS_URL) beside a bare
// Fastify route and @fastify/session (its memory store, and connect-redis), all started at once and
// loaded in turns, CPU µs/request as the headline.
import { fileURLToPath } from 'node:url';
import { CPU_TABLE_COLUMNS, measureCpuInterleaved, roundSpreadNotes, suspectRowNotes, type CpuSubject } from '../lib/cpu-load.js';
import { startServeNode, type ServeNode } from '../lib/serve-node.js';
import type { BenchContext, BenchRow, BenchTable } from '../lib/types.js';
import { redisUrl, startChild, stopChild, type ServerLine } from './common.js';

const PEER = fileURLToPath(new URL('./peer-server.ts', import.meta.url));

export const BARE = 'bare Fastify 5 route (no plugins)';
const FS_MEMORY = '@fastify/session, memory store, GET /api/me';
const FS_REDIS = '@fastify/session + connect-redis, GET /api/me';
const HEALTHZ = 'gatehouse serve GET /healthz';
const SESSION = 'gatehouse serve GET /api/me, session (SQLite)';
const SEALED = 'gatehouse serve GET /api/me, sealed cookie';
const JWT = 'gatehouse serve GET /api/me, JWT (same token)';
const REDIS_HEALTHZ = 'gatehouse serve + Redis GET /healthz';
const REDIS_SESSION = 'gatehouse serve + Redis GET /api/me, session (Redis)';

/** A Redis logical database of its own, so the node's default key prefix meets no other user's keys. */
export function benchRedisUrl(): string {
  const url = new URL(redisUrl());
  url.pathname = '/9';
  return url.toString();
}

export async function measureServeNodes(ctx: BenchContext): Promise<BenchTable> {
  const stops: (() => Promise<void>)[] = [];
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const subjects: Record<string, CpuSubject> = {};
  try {
    const peer = async (name: string, args: string[]) => {
      try {
        const { info, child } = await startChild<ServerLine>(PEER, args);
        stops.push(() => stopChild(child));
        subjects[name] = { pid: child.pid!, url: `http://127.0.0.1:${info.port}${info.path}`, headers: info.cookie ? { cookie: info.cookie } : {} };
      } catch (error) {
        rows.push({ subject: name, peer: true, missing: `could not run: ${(error as Error).message}`, figures: {} });
      }
    };
    const node = async (names: Record<'healthz' | 'session' | 'cookie' | 'jwt', string | undefined>, redis?: string): Promise<ServeNode | null> => {
      ctx.progress(`starting gatehouse serve${redis ? ' + Redis' : ''}`);
      try {
        const started = await startServeNode({ progress: ctx.progress, ...(redis ? { redisUrl: redis } : {}) });
        stops.push(() => started.stop());
        const { base, pid, credentials } = started;
        if (names.healthz) subjects[names.healthz] = { pid, url: `${base}/healthz` };
        if (names.session) subjects[names.session] = { pid, url: `${base}/api/me`, headers: { cookie: credentials.session } };
        if (names.cookie) subjects[names.cookie] = { pid, url: `${base}/api/me`, headers: { cookie: credentials.cookie } };
        if (names.jwt) subjects[names.jwt] = { pid, url: `${base}/api/me`, headers: { authorization: `Bearer ${credentials.jwt}` } };
        return started;
      } catch (error) {
        for (const name of Object.values(names)) if (name) rows.push({ subject: name, missing: `could not run: ${(error as Error).message}`, figures: {} });
        return null;
      }
    };
    ctx.progress('starting the bare route and @fastify/session');
    await peer(BARE, ['bare']);
    const fastifySession = ctx.peers?.['@fastify/session'];
    if (fastifySession && !fastifySession.available) {
      for (const name of [FS_MEMORY, FS_REDIS]) rows.push({ subject: name, peer: true, missing: fastifySession.missing ?? 'not installed', figures: {} });
    } else {
      // rolling: false — no store write per request, the cheaper of @fastify/session's two settings.
      await peer(FS_MEMORY, ['fastify-session', 'fixed', 'memory']);
      await peer(FS_REDIS, ['fastify-session', 'fixed', 'redis']);
    }
    await node({ healthz: HEALTHZ, session: SESSION, cookie: SEALED, jwt: JWT });
    await node({ healthz: REDIS_HEALTHZ, session: REDIS_SESSION, cookie: undefined, jwt: undefined }, benchRedisUrl());

    const rounds = ctx.quick ? 2 : 3;
    const figures = await measureCpuInterleaved(subjects, {
      connections: ctx.connections,
      rounds,
      sliceSec: Math.max(1, Math.round(ctx.durationSec / rounds)),
      warmupSec: Math.min(2, ctx.durationSec),
      progress: (m) => ctx.progress(`serve nodes: ${m}`),
    });
    for (const name of Object.keys(subjects)) {
      rows.push({ subject: name, ...(name === BARE || name.startsWith('@fastify') ? { peer: true } : {}), figures: figures[name]! });
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
  const targets: NonNullable<BenchTable['targets']> = [
    { subject: HEALTHZ, against: BARE, key: 'cpuUs', max: 1.3, label: 'GET /healthz ≤ 1.3× the CPU/request of a bare Fastify route' },
    { subject: SESSION, against: HEALTHZ, key: 'cpuUs', max: 1.5, label: 'session (SQLite) ≤ 1.5× the node\'s /healthz CPU/request' },
    { subject: SESSION, against: FS_MEMORY, key: 'rps', min: 1.5, label: 'session (SQLite) ≥ 1.5× @fastify/session req/s' },
    { subject: SESSION, against: FS_MEMORY, key: 'cpuUs', max: 0.67, label: 'CPU/request: session (SQLite) ≤ 0.67× @fastify/session (≡ ≥ 1.5× req/s)' },
    { subject: REDIS_SESSION, against: FS_REDIS, key: 'rps', min: 1.3, label: 'session (Redis) ≥ 1.3× @fastify/session + connect-redis req/s' },
    { subject: REDIS_SESSION, against: FS_REDIS, key: 'cpuUs', max: 0.77, label: 'CPU/request: session (Redis) ≤ 0.77× @fastify/session + connect-redis (≡ ≥ 1.3× req/s)' },
    { subject: SEALED, against: HEALTHZ, key: 'cpuUs', max: 1.6, label: 'sealed cookie ≤ 1.6× /healthz CPU/request' },
    { subject: JWT, against: HEALTHZ, key: 'cpuUs', max: 1.3, label: 'JWT (same token) ≤ 1.3× /healthz CPU/request' },
  ];
  notes.push(...suspectRowNotes(rows), ...roundSpreadNotes(rows, targets));
  notes.push(
    'Every server runs at once in its own process; the loads take turns in short slices (A B C … A B C), so the machine\'s load weighs on all rows alike. CPU µs/request is the server process\'s user + system CPU (from /proc) over the requests it answered: the headline, since it moves far less than req/s on a shared machine.',
    '`gatehouse serve` rows are the CLI as a user starts it (`node dist/cli/main.js serve`, the built CLI `npm start` runs — built first when dist/ is missing or older than src/; a fresh data directory, no settings but GATEHOUSE_SECRET and GATEHOUSE_PUBLIC_URL): embedded SQLite, default (info) logging appended to a file in its data directory, one line per request. The Redis node has REDIS_URL set (its own logical database); sessions, rate limits and the deny-list then live in Redis.',
    'The @fastify/session peers answer the same /api/me (the user read from SQLite) with rolling: false (no store write per request); the bare route answers {"status":"ok"} with no plugin registered.',
  );
  return {
    title: 'A `gatehouse serve` node as users run it: CPU per request',
    columns: CPU_TABLE_COLUMNS,
    rows,
    baseline: BARE,
    targets,
    notes,
  };
}
