// `npm run bench -- jwt`: requests/s and p99 of GET /api/me with a
// bearer JWT (EdDSA, ES256, RS256) against the unauthenticated baseline and against the same route
// guarded by @fastify/jwt; tokens issued per second by refresh (no password hashing) and by login
// (with argon2id). The servers run in a child process so the load generator does not share their loop.
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { measureDistinctTokens } from './jwt/distinct-tokens.js';
import { startChildServer, stopChildServer } from './lib/child-server.js';
import type { BenchContext, BenchRow, BenchSection, BenchTable } from './lib/types.js';

const ALGS = ['EdDSA', 'ES256', 'RS256'] as const;

interface ServerInfo {
  fullPort: number;
  benchPort: number;
  token: string;
  refreshTokens: string[];
  credentials: { email: string; password: string };
}

async function startServer(alg: string, refreshCount: number): ReturnType<typeof startChildServer<ServerInfo>> {
  const script = fileURLToPath(new URL('./jwt-server.ts', import.meta.url));
  return startChildServer<ServerInfo>(script, [alg, String(refreshCount)], `bench server for ${alg}`, { stderr: 'inherit' });
}


type Load = Parameters<typeof autocannon>[0];

async function measure(options: Load): Promise<{ rps: number; p99: number; non2xx: number }> {
  const result = await autocannon(options);
  return { rps: Math.round(result.requests.average), p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

/**
 * Subjects compared by a ratio take turns in short slices (A B C A B C …), so a change in the
 * machine's load during the run weighs on all of them alike instead of on whoever ran last.
 */
async function measureInterleaved(loads: Record<string, Load>, rounds: number): Promise<Record<string, { rps: number; p99: number; non2xx: number }>> {
  const totals: Record<string, { requests: number; seconds: number; p99s: number[]; non2xx: number }> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, load] of Object.entries(loads)) {
      const result = await autocannon(load);
      const t = (totals[name] ??= { requests: 0, seconds: 0, p99s: [], non2xx: 0 });
      t.requests += result.requests.total;
      t.seconds += result.duration;
      t.p99s.push(result.latency.p99);
      t.non2xx += result.non2xx + result.errors;
    }
  }
  return Object.fromEntries(
    Object.entries(totals).map(([name, t]) => {
      const sorted = [...t.p99s].sort((x, y) => x - y);
      return [name, { rps: Math.round(t.requests / t.seconds), p99: sorted[Math.floor(sorted.length / 2)]!, non2xx: t.non2xx }];
    }),
  );
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const meRows: BenchRow[] = [];
  const issueRows: BenchRow[] = [];
  const notes: string[] = [];
  const duration = ctx.durationSec;
  const connections = ctx.connections;

  // EdDSA is what the node signs with; the other algorithms are kept for comparison behind --full.
  const algs = ctx.full ? ALGS : ALGS.filter((alg) => alg === 'EdDSA');
  for (const alg of algs) {
    ctx.progress(`jwt: starting ${alg} servers`);
    const { info, child } = await startServer(alg, connections * 2);
    try {
      const rounds = ctx.quick ? 2 : 4;
      const get = (port: number, path: string, auth: boolean): Load => ({
        url: `http://127.0.0.1:${port}${path}`,
        connections,
        duration: Math.max(1, Math.round(duration / rounds)),
        headers: auth ? { authorization: `Bearer ${info.token}` } : {},
      });
      ctx.progress(`jwt: /me ${alg}: baseline, gatehouse, @fastify/jwt, full app (interleaved)`);
      const figures = await measureInterleaved(
        {
          baseline: get(info.benchPort, '/baseline/me', false),
          gatehouse: get(info.benchPort, '/gatehouse/me', true),
          peer: get(info.benchPort, '/fastify-jwt/me', true),
          full: get(info.fullPort, '/api/me', true),
        },
        rounds,
      );
      meRows.push({ subject: `baseline (no auth), ${alg} run`, figures: figures.baseline! });
      meRows.push({ subject: `gatehouse ${alg}`, figures: figures.gatehouse! });
      meRows.push({ subject: `@fastify/jwt ${alg}`, peer: true, figures: figures.peer! });
      meRows.push({ subject: `gatehouse app GET /api/me ${alg} (all hooks)`, figures: figures.full! });

      if (alg === 'EdDSA' || (ctx.full && !ctx.quick)) {
        // Each refresh rotates, so every connection keeps its own chain: a pool of live refresh
        // tokens, taken by a request and replaced by its response's successor.
        const pool = [...info.refreshTokens];
        ctx.progress(`jwt: refresh ${alg}`);
        const refresh = await measure({
          url: `http://127.0.0.1:${info.fullPort}/api/auth/jwt/refresh`,
          connections,
          duration,
          requests: [
            {
              method: 'POST',
              setupRequest: (request) => ({
                ...request,
                headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}` },
                body: JSON.stringify({ refresh_token: pool.shift() ?? 'pool-empty' }),
              }),
              onResponse: (status, body) => {
                if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
              },
            },
          ],
        });
        issueRows.push({ subject: `refresh ${alg} (no password hashing)`, figures: refresh });
        ctx.progress(`jwt: login ${alg}`);
        const login = await measure({
          url: `http://127.0.0.1:${info.fullPort}/api/auth/jwt/login`,
          connections,
          duration,
          requests: [
            {
              method: 'POST',
              // Distinct client addresses (trusted from loopback) keep the per-IP login rate limit out of the measurement.
              setupRequest: (request) => ({
                ...request,
                headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}` },
                body: JSON.stringify(info.credentials),
              }),
            },
          ],
        });
        issueRows.push({ subject: `login ${alg} (argon2id 19 MiB, t=2)`, figures: login });
      }
    } finally {
      await stopChildServer(child);
    }
  }

  const failed = [...meRows, ...issueRows].filter((r) => (r.figures.non2xx ?? 0) > 0);
  for (const row of failed) notes.push(`${row.subject}: ${row.figures.non2xx} non-2xx responses or errors — its figures are suspect.`);
  notes.push('Each algorithm runs against its own servers; its baseline, gatehouse, @fastify/jwt and full-app loads take turns in short slices and targets compare within that run.');
  notes.push('gatehouse rows verify the JWT (keystore key by kid, alg allowlist, typ/iss/aud/exp/nbf) and check the deny-list in the shared store (SQLite here) on every request.');
  notes.push('baseline and @fastify/jwt read the user from SQLite; gatehouse takes it from the token (email, name, roles claims) and reads only the deny-list. @fastify/jwt runs with its defaults (no verification cache) and the same public key.');

  const meTable: BenchTable = {
    title: 'GET /me with a bearer JWT',
    columns: [
      { key: 'rps', label: 'req/s' },
      { key: 'p99', label: 'p99 ms' },
      { key: 'non2xx', label: 'non-2xx' },
    ],
    rows: meRows,
    baseline: 'baseline (no auth), EdDSA run',
    targets: algs.flatMap((alg) => [
      { subject: `gatehouse ${alg}`, against: `baseline (no auth), ${alg} run`, key: 'rps', min: 0.8, label: `${alg} ≥ 0.8× unauthenticated` },
      { subject: `gatehouse ${alg}`, against: `@fastify/jwt ${alg}`, key: 'rps', min: 1, label: `${alg} ahead of @fastify/jwt` },
    ]),
    notes,
  };
  const issueTable: BenchTable = {
    title: 'Tokens issued per second',
    columns: [
      { key: 'rps', label: 'tokens/s' },
      { key: 'p99', label: 'p99 ms' },
      { key: 'non2xx', label: 'non-2xx' },
    ],
    rows: issueRows,
  };
  const distinct = await measureDistinctTokens(ctx);
  return { area: 'jwt', tables: [distinct, meTable, issueTable] };
}
