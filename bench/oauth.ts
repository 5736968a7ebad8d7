// `npm run bench -- oauth`: requests/s and p99 of the token endpoint
// (code exchange, refresh with rotation, client credentials) and of introspection, for the same
// oidc-provider configuration with gatehouse's SQL adapter, with its SQL + Redis split, and with
// oidc-provider's in-memory adapter as the ceiling. Target: SQL ≥ 0.7× the in-memory ceiling.
// Each provider runs in a child process so the load generator does not share its event loop. The SQL and
// Redis rows are a serve node's authorization server as its composition root builds it (oauth-server.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startChildServer, stopChildServer } from './lib/child-server.js';
import type { BenchContext, BenchRow, BenchSection, BenchTable } from './lib/types.js';

const VARIANTS = [
  { key: 'memory', label: 'in-memory adapter (ceiling)' },
  { key: 'sql', label: 'gatehouse SQL adapter (SQLite)' },
  { key: 'redis', label: 'gatehouse SQL + Redis adapters' },
] as const;
const ENDPOINTS = ['code exchange', 'refresh (rotating)', 'client credentials', 'introspection'] as const;
type Endpoint = (typeof ENDPOINTS)[number];

interface ServerInfo {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  verifier: string;
  codes: string[];
  refreshTokens: string[];
  introspected: string;
  /** Refresh tokens still live, carried from one round to the next (a spent one would revoke the grant). */
  live?: string[];
}

/** `codes` authorization codes and `refreshTokens` refresh tokens are minted before the server answers. */
async function startServer(variant: string, codes: number, refreshTokens: number): ReturnType<typeof startChildServer<ServerInfo>> {
  const script = fileURLToPath(new URL('./oauth-server.ts', import.meta.url));
  return startChildServer<ServerInfo>(script, [variant, String(codes), String(refreshTokens)], `oauth bench server (${variant})`, { stderr: 'ignore' });
}


type Load = Parameters<typeof autocannon>[0];

/** Interleaved rounds per endpoint (see run). */
const ROUNDS = 3;

/** Each figure's median over the rounds (non-2xx: the sum, so any failure shows). */
function medians(runs: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set(runs.flatMap((r) => Object.keys(r)))) {
    const values = runs.map((r) => r[key]).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    out[key] = key === 'non2xx' ? values.reduce((a, b) => a + b, 0) : values[Math.floor(values.length / 2)]!;
  }
  return out;
}

/** CPU seconds (user + system) the server process has used, from /proc (Linux; USER_HZ = 100). */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function measure(options: Load, pid: number | undefined): Promise<Record<string, number>> {
  const before = cpuSeconds(pid);
  const result = await autocannon(options);
  const after = cpuSeconds(pid);
  const answered = result.requests.total;
  // Completed requests over the load's own duration: the per-second average autocannon reports is
  // quantised to whole seconds, which for the code-exchange run (a fixed pool, 1–3 s) is 2× off.
  const figures: Record<string, number> = { rps: Math.round(answered / Math.max(result.duration, 0.01)), p99: result.latency.p99, non2xx: result.non2xx + result.errors };
  if (before !== undefined && after !== undefined && answered > 0) figures.cpu = Math.round(((after - before) * 1e6) / answered);
  return figures;
}

async function measureEndpoint(endpoint: Endpoint, info: ServerInfo, connections: number, duration: number, pid: number | undefined) {
  const url = (path: string) => `http://127.0.0.1:${info.port}/oidc${path}`;
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(info.clientId)}:${encodeURIComponent(info.clientSecret)}`).toString('base64')}`,
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  switch (endpoint) {
    case 'client credentials':
      return measure({ url: url('/token'), connections, duration, method: 'POST', headers, body: form({ grant_type: 'client_credentials' }) }, pid);
    case 'introspection':
      return measure({ url: url('/token/introspection'), connections, duration, method: 'POST', headers, body: form({ token: info.introspected }) }, pid);
    case 'refresh (rotating)': {
      // Each refresh consumes its token and returns a successor: a pool of live tokens, taken by a
      // request and refilled by its response.
      const live = (info.live ??= [...info.refreshTokens]);
      return measure({
        url: url('/token'),
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => ({ ...request, headers, body: form({ grant_type: 'refresh_token', refresh_token: live.shift() ?? 'pool-empty' }) }),
            onResponse: (status, body) => {
              if (status === 200) live.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
            },
          },
        ],
      }, pid);
    }
    case 'code exchange': {
      // Codes are single-use: the run is as long as the pool.
      const codes = [...info.codes];
      return measure({
        url: url('/token'),
        connections,
        amount: codes.length,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => ({
              ...request,
              headers,
              body: form({ grant_type: 'authorization_code', code: codes.shift() ?? 'pool-empty', redirect_uri: info.redirectUri, code_verifier: info.verifier }),
            }),
          },
        ],
      }, pid);
    }
  }
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const rows = new Map<Endpoint, BenchRow[]>(ENDPOINTS.map((e) => [e, []]));
  const notes: string[] = [];
  const { connections, durationSec: duration } = ctx;
  // oidc-provider's in-memory adapter is an LRU of 1000 entries: a larger pool would evict the ceiling
  // run's client and grant while minting, so every variant gets the same, smaller pool.
  const pool = 400;

  // Endpoint outer, variant inner, and for every endpoint but code exchange several short rounds whose
  // order alternates, each variant's figures the median of its rounds: on a shared machine load drifts
  // within seconds, and rows measured one after the other (once each) moved apart by 2× for no reason of
  // their own. The code pool is single-use, so code exchange runs once per variant.
  for (const endpoint of ENDPOINTS) {
    // A fresh set of providers per endpoint: the in-memory adapter's LRU would otherwise evict one run's
    // pre-minted artefacts while the previous run writes.
    const started: (Awaited<ReturnType<typeof startServer>> | Error)[] = [];
    try {
      for (const variant of VARIANTS) {
        ctx.progress(`oauth: ${endpoint}: starting ${variant.key} provider`);
        // Each endpoint's server mints only what its load consumes: minting is most of a start-up.
        const codes = endpoint === 'code exchange' ? pool : 0;
        const refreshTokens = endpoint === 'refresh (rotating)' ? connections * 2 : 0;
        started.push(await startServer(variant.key, codes, refreshTokens).catch((error: unknown) => error as Error));
      }
      const rounds = endpoint === 'code exchange' ? 1 : ROUNDS;
      const figures: Record<string, number>[][] = VARIANTS.map(() => []);
      for (let round = 0; round < rounds; round++) {
        const order = VARIANTS.map((_, i) => i);
        if (round % 2 === 1) order.reverse();
        for (const i of order) {
          const server = started[i]!;
          if (server instanceof Error) continue;
          ctx.progress(`oauth: ${endpoint}: ${VARIANTS[i]!.key}, round ${round + 1}/${rounds}`);
          figures[i]!.push(await measureEndpoint(endpoint, server.info, connections, duration, server.child.pid));
        }
      }
      VARIANTS.forEach((variant, i) => {
        const server = started[i]!;
        rows.get(endpoint)!.push(server instanceof Error ? { subject: variant.label, missing: server.message, figures: {} } : { subject: variant.label, figures: medians(figures[i]!) });
      });
    } finally {
      for (const server of started) if (!(server instanceof Error)) await stopChildServer(server.child);
    }
  }

  for (const [endpoint, list] of rows) {
    for (const row of list) if ((row.figures.non2xx ?? 0) > 0) notes.push(`${endpoint}, ${row.subject}: ${row.figures.non2xx} non-2xx responses or errors — its figures are suspect.`);
  }
  notes.push('Same oidc-provider configuration in every row (gatehouse\'s), served by a plain node:http server. The SQL and Redis rows are built by a serve node\'s own composition root (createContext: its database settings, key-value store and client-secret throttle); the ceiling runs the same throttle over an in-memory store. Only where things are stored differs.');
  notes.push(`Every endpoint but code exchange: ${ROUNDS} interleaved rounds (order alternating), each figure the median of its rounds.`);
  notes.push(`Code exchange runs until ${pool} pre-minted codes are used (the in-memory adapter is a 1000-entry LRU); ID tokens are signed with the keystore's key (EdDSA).`);
  notes.push('Client credentials and introspection use opaque tokens (stored through the adapter), so the adapter is on the path.');
  notes.push('req/s = completed requests / the load\'s duration. server CPU µs/req = user + system CPU of the provider process (from /proc) during the load, divided by the requests it answered (Redis\'s own CPU is not in it). On this shared machine req/s swings several-fold between runs; CPU per request moves far less, so the CPU target is the one to read.');

  const base = VARIANTS[0].label;
  const tables: BenchTable[] = ENDPOINTS.map((endpoint) => ({
    title: `OAuth ${endpoint === 'introspection' ? 'introspection endpoint' : `token endpoint: ${endpoint}`}`,
    columns: [
      { key: 'rps', label: 'req/s' },
      { key: 'p99', label: 'p99 ms' },
      { key: 'non2xx', label: 'non-2xx' },
      { key: 'cpu', label: 'server CPU µs/req' },
    ],
    rows: rows.get(endpoint)!,
    baseline: base,
    targets: [
      { subject: VARIANTS[1].label, against: base, key: 'rps', min: 0.7, label: `SQL adapter ≥ 0.7× in-memory (${endpoint})` },
      // The same target in the steadier unit: when the server is CPU-bound, ≥ 0.7× the throughput is
      // ≤ 1/0.7 ≈ 1.43× the CPU per request.
      { subject: VARIANTS[1].label, against: base, key: 'cpu', max: 1.43, label: `SQL adapter CPU/req ≤ 1.43× in-memory (${endpoint}; = 0.7× throughput when CPU-bound)` },
    ],
    ...(endpoint === 'introspection' ? { notes } : {}),
  }));
  return { area: 'oauth', tables };
}
