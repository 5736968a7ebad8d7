// `npm run bench -- sessions`: requests/s and p99 of GET /api/me on a
// real gatehouse node with a session on memory / SQLite / Redis and with the sealed cookie, against the
// node's unauthenticated /healthz and against the same route guarded by express-session (connect-redis)
// and by @fastify/session on the same Redis; then each session store's memory and lookup time as it
// grows. Every server and every store runs in its own child process; autocannon runs here.
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSeconds } from './lib/cpu-load.js';
import { startChild, stopChild, type ServerLine } from './sessions/common.js';
import { measureServeNodes } from './sessions/serve-table.js';
import type { ScalePoint } from './sessions/store-scale.js';
import type { BenchContext, BenchRow, BenchSection, BenchTable } from './lib/types.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const GATEHOUSE = here('./sessions/gatehouse-server.ts');
const PEER = here('./sessions/peer-server.ts');
const SCALE = here('./sessions/store-scale.ts');

const BASELINE = 'unauthenticated GET /healthz';
const MEMORY = 'gatehouse session, memory store';
const SQLITE = 'gatehouse session, SQLite store';
const REDIS = 'gatehouse session, Redis store';
const SEALED = 'gatehouse sealed cookie';
const EXPRESS = 'express-session + connect-redis';
const FASTIFY = '@fastify/session + connect-redis';
const FASTIFY_FIXED = '@fastify/session + connect-redis, rolling: false';

// The second table: a plain Fastify route doing the same work as the peers' (one user read, the same
// answer), so that only the authentication differs — what the guard itself costs.
const SAME_BASELINE = 'same handler, no authentication';
const GUARD_MEMORY = 'gatehouse guard, session on memory';
const GUARD_REDIS = 'gatehouse guard, session on Redis';

interface Subject {
  subject: string;
  /** Its row in the same-handler table (gatehouse children serve that route too). */
  guard?: string;
  script: string;
  args: string[];
  peer?: string;
}

const SUBJECTS: Subject[] = [
  { subject: BASELINE, guard: SAME_BASELINE, script: GATEHOUSE, args: ['memory', 'none'] },
  { subject: MEMORY, guard: GUARD_MEMORY, script: GATEHOUSE, args: ['memory', 'session'] },
  { subject: SQLITE, guard: 'gatehouse guard, session on SQLite', script: GATEHOUSE, args: ['sql', 'session'] },
  { subject: REDIS, guard: GUARD_REDIS, script: GATEHOUSE, args: ['redis', 'session'] },
  { subject: SEALED, guard: 'gatehouse guard, sealed cookie', script: GATEHOUSE, args: ['sql', 'cookie'] },
  { subject: EXPRESS, script: PEER, args: ['express-session'], peer: 'express-session' },
  { subject: FASTIFY, script: PEER, args: ['fastify-session', 'rolling'], peer: '@fastify/session' },
  { subject: FASTIFY_FIXED, script: PEER, args: ['fastify-session', 'fixed'], peer: '@fastify/session' },
];

async function load(ctx: BenchContext, line: ServerLine, pid: number): Promise<Record<string, number>> {
  const options = {
    url: `http://127.0.0.1:${line.port}${line.path}`,
    connections: ctx.connections,
    headers: line.cookie ? { cookie: line.cookie } : {},
  };
  // A short warm-up (JIT, connection pools) that is not counted.
  await autocannon({ ...options, duration: Math.min(2, ctx.durationSec) });
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ ...options, duration: ctx.durationSec });
  const cpuAfter = cpuSeconds(pid);
  const figures: Record<string, number> = { rps: Math.round(result.requests.average), p99: result.latency.p99 };
  if (cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0) {
    figures.cpuUs = Math.round(((cpuAfter - cpuBefore) / result.requests.total) * 1e6);
  }
  figures.non2xx = result.non2xx + result.errors + result.timeouts;
  return figures;
}

async function measureRoutes(ctx: BenchContext): Promise<BenchTable[]> {
  const rows: BenchRow[] = [];
  const guardRows: BenchRow[] = [];
  const notes: string[] = [];
  for (const s of SUBJECTS) {
    const status = s.peer ? ctx.peers?.[s.peer] : undefined;
    const peer = s.peer ? { peer: true } : {};
    if (status && !status.available) {
      rows.push({ subject: s.subject, peer: true, missing: status.missing ?? 'not installed', figures: {} });
      guardRows.push({ subject: s.subject, peer: true, missing: status.missing ?? 'not installed', figures: {} });
      continue;
    }
    ctx.progress(`GET ${s.subject}`);
    try {
      const { info, child } = await startChild<ServerLine>(s.script, s.args);
      try {
        const row: BenchRow = { subject: s.subject, ...peer, figures: await load(ctx, info, child.pid!) };
        rows.push(row);
        if (s.guard && info.bench) {
          ctx.progress(`GET ${s.guard}`);
          guardRows.push({ subject: s.guard, figures: await load(ctx, { port: info.bench.port, path: info.bench.path, cookie: info.cookie }, child.pid!) });
        } else if (s.peer) {
          // A peer's route is already the same handler behind its session library.
          guardRows.push(row);
        }
      } finally {
        await stopChild(child);
      }
    } catch (error) {
      const missing = `could not run: ${(error as Error).message}`;
      rows.push({ subject: s.subject, ...peer, missing, figures: {} });
      guardRows.push({ subject: s.guard ?? s.subject, ...peer, missing, figures: {} });
    }
  }
  for (const row of rows) if ((row.figures.non2xx ?? 0) > 0) notes.push(`${row.subject}: ${row.figures.non2xx} non-2xx responses or errors — its figures are suspect.`);
  notes.push(
    `Baseline: GET /healthz on the same gatehouse node (same Fastify instance, cookie parsing, CSRF/metrics hooks and Socket.IO listener), with no credential and no store read; /api/me additionally runs the guard, reads the user from SQLite twice (resolver and handler) and serialises through its response schema.`,
    'gatehouse sessions slide the idle expiry with a store write at most once a minute; express-session (resave: false, saveUninitialized: false) touches the Redis TTL on every request; @fastify/session with its default rolling: true saves the session on every request, with rolling: false it only reads.',
    'server CPU µs/req = user + system CPU of the server process (from /proc) during the measured load, divided by the requests it answered; the Redis server\'s own CPU is not in it, for gatehouse and peers alike. On a machine shared with other work it is the steadier figure; req/s is what the issue\'s targets name.',
    'Every server runs in its own process, one at a time, after a 2 s warm-up; peers read the same user from the same SQLite table and answer the same shape; their cookies are signed (HMAC) by the library, gatehouse hashes its 256-bit token with SHA-256.',
  );
  const columns = [
    { key: 'rps', label: 'req/s' },
    { key: 'p99', label: 'p99 ms' },
    { key: 'cpuUs', label: 'server CPU µs/req' },
    { key: 'non2xx', label: 'non-2xx' },
  ];
  const guardTable: BenchTable = {
    title: 'The guard alone: the same handler (one user read, same answer), only the authentication differs',
    columns,
    rows: guardRows,
    baseline: SAME_BASELINE,
    targets: [
      { subject: GUARD_MEMORY, against: SAME_BASELINE, key: 'rps', min: 0.8, label: 'session on memory ≥ 0.8× the same route unauthenticated' },
      { subject: GUARD_REDIS, against: SAME_BASELINE, key: 'rps', min: 0.6, label: 'session on Redis ≥ 0.6× the same route unauthenticated' },
      { subject: GUARD_REDIS, against: EXPRESS, key: 'rps', min: 1.5, label: 'session on Redis ≥ 1.5× express-session on the same Redis' },
      { subject: GUARD_MEMORY, against: SAME_BASELINE, key: 'cpuUs', max: 1.25, label: 'CPU/request: session on memory ≤ 1.25× unauthenticated' },
      { subject: GUARD_REDIS, against: SAME_BASELINE, key: 'cpuUs', max: 1.67, label: 'CPU/request: session on Redis ≤ 1.67× unauthenticated' },
      { subject: GUARD_REDIS, against: EXPRESS, key: 'cpuUs', max: 0.67, label: 'CPU/request: session on Redis ≤ 0.67× express-session' },
    ],
    notes: [
      'gatehouse rows: a plain Fastify server (with @fastify/cookie) in the node\'s own process and on its stores, whose route runs the node\'s guard (ctx.authenticate: session resolver, which reads the user, then the handler\'s one user read) — the same shape as the @fastify/session peer\'s route. The baseline is that route with no authentication. Peer rows are the figures of the table above.',
    ],
  };
  const appTable: BenchTable = {
    title: 'GET /api/me with a session or sealed cookie',
    columns,
    rows,
    baseline: BASELINE,
    targets: [
      { subject: MEMORY, against: BASELINE, key: 'rps', min: 0.8, label: 'session on memory ≥ 0.8× unauthenticated' },
      { subject: REDIS, against: BASELINE, key: 'rps', min: 0.6, label: 'session on Redis ≥ 0.6× unauthenticated' },
      { subject: REDIS, against: EXPRESS, key: 'rps', min: 1.5, label: 'session on Redis ≥ 1.5× express-session on the same Redis' },
      // The same three targets in server CPU per request (a saturated server's throughput is its
      // inverse), which a busy shared machine disturbs far less than requests/s.
      { subject: MEMORY, against: BASELINE, key: 'cpuUs', max: 1.25, label: 'CPU/request: session on memory ≤ 1.25× unauthenticated (≡ ≥ 0.8× req/s)' },
      { subject: REDIS, against: BASELINE, key: 'cpuUs', max: 1.67, label: 'CPU/request: session on Redis ≤ 1.67× unauthenticated (≡ ≥ 0.6× req/s)' },
      { subject: REDIS, against: EXPRESS, key: 'cpuUs', max: 0.67, label: 'CPU/request: session on Redis ≤ 0.67× express-session (≡ ≥ 1.5× req/s)' },
    ],
    notes,
  };
  return [appTable, guardTable];
}

const LABEL: Record<string, string> = { memory: 'memory', sql: 'SQLite', redis: 'Redis' };
const short = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

async function measureStores(ctx: BenchContext): Promise<BenchTable> {
  const sizes = ctx.quick ? [10_000, 100_000, 200_000] : [10_000, 100_000, 1_000_000];
  const lookups = ctx.quick ? 5_000 : 20_000;
  const rows: BenchRow[] = [];
  const targets: NonNullable<BenchTable['targets']> = [];
  for (const kind of ['memory', 'sql', 'redis']) {
    ctx.progress(`${LABEL[kind]} store up to ${short(sizes.at(-1)!)} sessions`);
    const subjectOf = (n: number) => `${LABEL[kind]} store, ${short(n)} sessions`;
    try {
      const { info, child, lines } = await startChild<ScalePoint>(SCALE, [kind, sizes.join(','), String(lookups)], ['--expose-gc', '--max-old-space-size=4096']);
      try {
        const points = [info];
        for await (const line of lines) {
          if (!line.startsWith('{')) continue;
          points.push(JSON.parse(line) as ScalePoint);
          ctx.progress(`${LABEL[kind]} store: ${short(points.at(-1)!.sessions)} sessions`);
        }
        for (const n of sizes) {
          if (!points.some((p) => p.sessions === n)) rows.push({ subject: subjectOf(n), missing: 'the store process ended before this size', figures: {} });
        }
        for (const p of points) {
          rows.push({
            subject: subjectOf(p.sessions),
            figures: {
              mib: Math.round((p.bytes / 1048576) * 10) / 10,
              bytesPerSession: Math.round(p.bytes / p.sessions),
              lookupMeanUs: p.lookupMeanUs,
              lookupP50Us: p.lookupP50Us,
              lookupP99Us: p.lookupP99Us,
              misses: p.misses,
              createsPerSec: p.createsPerSec,
            },
          });
        }
      } finally {
        // The loop above ends when the child closes its output, after its own clean-up (Redis keys).
        await stopChild(child);
      }
    } catch (error) {
      for (const n of sizes) rows.push({ subject: subjectOf(n), missing: `could not run: ${(error as Error).message}`, figures: {} });
    }
    // "Lookup must stay flat": the median at the top size within 2× of the median at the smallest (the
    // median, because a GC pause or a busy neighbour on this shared machine moves the mean).
    targets.push({ subject: subjectOf(sizes.at(-1)!), against: subjectOf(sizes[0]!), key: 'lookupP50Us', max: 2, label: `${LABEL[kind]} lookup stays flat (${short(sizes.at(-1)!)} ≤ 2× ${short(sizes[0]!)})` });
  }
  return {
    title: 'Session store: memory and lookup time by number of sessions',
    columns: [
      { key: 'mib', label: 'MiB' },
      { key: 'bytesPerSession', label: 'bytes/session' },
      { key: 'lookupMeanUs', label: 'lookup mean µs' },
      { key: 'lookupP50Us', label: 'lookup p50 µs' },
      { key: 'lookupP99Us', label: 'lookup p99 µs' },
      { key: 'createsPerSec', label: 'creates/s (filling)' },
      { key: 'misses', label: 'misses' },
    ],
    rows,
    targets,
    notes: [
      ctx.quick
        ? `--quick: sizes ${sizes.map(short).join(', ')} (the full run goes to 1M), ${lookups} lookups per size.`
        : `Sizes ${sizes.map(short).join(', ')}, ${lookups} lookups per size.`,
      'Lookup = SessionStore.findByTokenHash of a random existing session (the store read behind every authenticated request), awaited one at a time in the store\'s own process; Redis and SQLite are the real servers/files.',
      'Memory: memory store = V8 heap growth after GC; SQLite = database + WAL file sizes; Redis = sum of MEMORY USAGE over the session records and per-user indexes (the shared server holds other data too). Two sessions per user, realistic ids, IP and user agent.',
    ],
  };
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const serve = await measureServeNodes(ctx);
  // The per-store route tables and the store sizes took most of the area's time (the 1M-session fill
  // above all); they are kept for comparison with earlier runs behind --full.
  const more = ctx.full ? [...(await measureRoutes(ctx)), await measureStores(ctx)] : [];
  return {
    area: 'sessions',
    tables: [serve, ...more],
    notes: [
      'Sessions are the note\'s "세션 & 쿠키": the server remembers the user behind an opaque id; this measures what remembering costs per request and per session held.',
      ...(ctx.full ? [] : ['`--full` adds each session store behind a plain route (against express-session and @fastify/session) and each store\'s memory and lookup time up to 1M sessions.']),
    ],
  };
}
