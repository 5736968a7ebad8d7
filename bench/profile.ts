// `npx tsx bench/profile.ts [KIND...] [--seconds N] [--main dist/cli/main.js] [--out DIR]`: a CPU profile
// of a `gatehouse serve` node (the built CLI, default settings) under `autocannon -c 50` for each kind of
// request — healthz, session, cookie (sealed), jwt (same token), jwt-distinct — one node per kind, and
// its self time grouped by what the code is for. The profiles (.cpuprofile, open them in Chrome's
// DevTools) are written to DIR. What docs/performance.md's "where each microsecond goes" is made of.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuSeconds } from './lib/cpu-load.js';
import { mintAccessTokens, startServeNode, type ServeNode } from './lib/serve-node.js';

const KINDS = ['healthz', 'session', 'cookie', 'jwt', 'jwt-distinct'] as const;
type Kind = (typeof KINDS)[number];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

// First match wins: a frame's script (or, for natives, its name) says what the time was spent on.
const GROUPS: [string, RegExp][] = [
  ['GC', /^\(garbage collector\)$/],
  ['idle', /^\((idle|program)\)$/],
  ['logging (pino, sonic-boom, the write)', /pino|sonic-boom|fast-redact|@pinojs|thread-stream|quick-format|fast-safe-stringify/],
  ['metrics (prom-client)', /prom-client|\/http\/metrics/],
  ['Socket.IO / engine.io', /socket\.io|engine\.io|\/realtime\//],
  ['store reads (SQLite, Redis, Kysely)', /better-sqlite3|kysely|ioredis|\/storage\/|\/database\//],
  ['credential crypto', /\/tokens\/jws|\/cookies\/sealer|jose|^(verify|sign|createHash|digest|update|final|decipher)/],
  ['the guard and resolvers', /\/http\/guard|\/http\/credentials|\/identity\/|\/sessions\/|\/tokens\/|\/oauth\/|\/cookies\//],
  ['gatehouse hooks (headers, errors, CSRF, request log)', /\/dist\/(http|core)\//],
  ['Fastify, routing, cookies, JSON', /fastify|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|cookie|secure-json-parse|ajv|@sinclair/],
  ['Node HTTP, sockets, streams', /^node:|^internal|^$/],
];

function groupOf(frame: ProfileNode['callFrame']): string {
  const key = frame.url || frame.functionName;
  for (const [name, pattern] of GROUPS) if (pattern.test(key)) return name;
  return 'other';
}

/**
 * Self time by group, in ms, and the top functions by self time, of the samples taken between `from`
 * and `to` (µs of the monotonic clock, which the profiler's timestamps and process.hrtime share).
 */
function summarize(profile: Profile, from: number, to: number): { groups: Record<string, number>; top: [string, number][]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= from && at <= to) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const groups: Record<string, number> = {};
  const fns = new Map<string, number>();
  let totalMs = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const ms = us / 1000;
    const group = groupOf(frame);
    groups[group] = (groups[group] ?? 0) + ms;
    if (group !== 'idle') totalMs += ms;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + ms);
  }
  const top = [...fns].sort((a, b) => b[1] - a[1]).slice(0, 25);
  return { groups, top, totalMs };
}

interface Window {
  kind: Kind;
  from: number;
  to: number;
  requests: number;
  cpu: number;
}

const now = () => Number(process.hrtime.bigint() / 1000n);

/** One node, every kind loaded in turn; the profile is cut into the kinds' windows afterwards. */
async function profileKinds(kinds: Kind[], seconds: number, dir: string, main: string | undefined): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const node: ServeNode = await startServeNode({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`], ...(main ? { main } : {}) });
  const windows: Window[] = [];
  try {
    const tokens = kinds.includes('jwt-distinct') ? await mintAccessTokens(node, 20_000) : [];
    for (const kind of kinds) {
      const headers: Record<string, string> = {};
      if (kind === 'session') headers.cookie = node.credentials.session;
      if (kind === 'cookie') headers.cookie = node.credentials.cookie;
      if (kind === 'jwt') headers.authorization = `Bearer ${node.credentials.jwt}`;
      const base = { url: `${node.base}${kind === 'healthz' ? '/healthz' : '/api/me'}`, connections: 50 };
      let i = 0;
      const options: Parameters<typeof autocannon>[0] =
        kind === 'jwt-distinct'
          ? { ...base, requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${tokens[i++ % tokens.length]}` } }) }] }
          : { ...base, headers };
      await autocannon({ ...options, duration: 2 });
      const before = cpuSeconds(node.pid) ?? 0;
      const from = now();
      const result = await autocannon({ ...options, duration: seconds });
      const to = now();
      if (result.non2xx > 0) console.error(`${kind}: ${result.non2xx} non-2xx answers`);
      windows.push({ kind, from, to, requests: result.requests.total, cpu: (cpuSeconds(node.pid) ?? 0) - before });
    }
  } finally {
    await node.stop();
  }
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as Profile;
  for (const { kind, from, to, requests, cpu } of windows) {
    const { groups, top, totalMs } = summarize(profile, from, to);
    console.log(`\n## ${kind}: ${requests} requests, ${Math.round((cpu / Math.max(1, requests)) * 1e6)} µs CPU/request (process, under the profiler), main thread busy ${Math.round(totalMs)} ms`);
    for (const [name, ms] of Object.entries(groups).filter(([name]) => name !== 'idle').sort((a, b) => b[1] - a[1])) {
      console.log(`  ${((ms / totalMs) * 100).toFixed(1).padStart(5)}%  ${((ms * 1000) / Math.max(1, requests)).toFixed(1).padStart(6)} µs/req  ${name}`);
    }
    console.log('  top self time:');
    for (const [name, ms] of top) console.log(`  ${((ms / totalMs) * 100).toFixed(1).padStart(5)}%  ${((ms * 1000) / Math.max(1, requests)).toFixed(1).padStart(6)} µs/req  ${name}`);
  }
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seconds: { type: 'string' }, main: { type: 'string' }, out: { type: 'string' } } });
const kinds = positionals.length > 0 ? positionals.filter((k): k is Kind => (KINDS as readonly string[]).includes(k)) : [...KINDS];
await profileKinds(kinds, Number(values.seconds ?? 8), resolve(values.out ?? 'bench/results/profiles'), values.main ? resolve(values.main) : undefined);
