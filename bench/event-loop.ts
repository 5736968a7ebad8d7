// `npm run bench -- event-loop`: the cost of blocking the event loop, as a number.
// The same GET /api/me load runs against a real gatehouse node twice — alone, then while logins hash
// passwords — once with argon2id off the loop (libuv thread pool, as gatehouse does) and once with the
// lab-only switch that hashes synchronously on the loop. p99 of /api/me is what blocking costs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import type { BenchContext, BenchRow, BenchSection } from './lib/types.js';

interface ServerInfo {
  port: number;
  email: string;
  password: string;
}

const LOGIN_CONNECTIONS = 4;

async function startServer(mode: 'on' | 'off'): Promise<{ info: ServerInfo; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./event-loop-server.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, script, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`event-loop bench server exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`)));
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as ServerInfo);
    });
  });
  return { info, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Logins come from many client addresses (X-Forwarded-For, trusted from loopback) so the per-address
 * login rate limit (30/min) does not turn this into a rate-limit test; every login is a correct one,
 * so the failure throttle never delays them either. Each one is a full argon2id verify.
 */
function loginLoad(info: ServerInfo, durationSec: number): Parameters<typeof autocannon>[0] {
  let n = 0;
  const origin = `http://127.0.0.1:${info.port}`;
  return {
    url: origin,
    connections: LOGIN_CONNECTIONS,
    duration: durationSec,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/jwt/login',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ email: info.email, password: info.password }),
        setupRequest: (req) => {
          n += 1;
          return { ...req, headers: { ...req.headers, 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` } };
        },
      },
    ],
  };
}

async function bearerToken(info: ServerInfo): Promise<string> {
  const origin = `http://127.0.0.1:${info.port}`;
  const response = await fetch(`${origin}/api/auth/jwt/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'x-forwarded-for': '10.255.255.254' },
    body: JSON.stringify({ email: info.email, password: info.password }),
  });
  if (!response.ok) throw new Error(`login for the bench token failed with ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  completed: number;
}

function summary(result: autocannon.Result): Measured {
  return {
    // Completed requests over the load's real duration: a per-second average would read 0 when every
    // login takes longer than a second.
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.non2xx + result.errors + result.timeouts,
    completed: result.requests.total,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One round on a fresh node: warm-up (reads and a few logins), /api/me alone, then /api/me while logins run. */
async function measureMode(ctx: BenchContext, mode: 'on' | 'off', connections: number, round: string): Promise<BenchRow> {
  const label = `${mode === 'off' ? 'argon2 off the loop' : 'argon2 on the loop'}${round}`;
  ctx.progress(`${label}: starting a gatehouse node`);
  const { info, child } = await startServer(mode);
  try {
    const token = await bearerToken(info);
    const me: Parameters<typeof autocannon>[0] = {
      url: `http://127.0.0.1:${info.port}/api/me`,
      connections,
      duration: ctx.durationSec,
      headers: { authorization: `Bearer ${token}` },
    };
    ctx.progress(`${label}: warm-up`);
    for (let i = 0; i < 3; i += 1) await bearerToken(info);
    await autocannon({ ...me, duration: 2 });
    ctx.progress(`${label}: GET /api/me alone (${ctx.durationSec} s)`);
    const quiet = summary(await autocannon(me));
    ctx.progress(`${label}: GET /api/me while ${LOGIN_CONNECTIONS} clients log in (${ctx.durationSec} s)`);
    // Logins start first and end last, so every measured /api/me request shares the node with hashing.
    const logins = autocannon(loginLoad(info, ctx.durationSec + 2));
    await sleep(1_000);
    const busy = summary(await autocannon(me));
    const login = summary(await logins);
    return {
      subject: mode === 'off' ? 'argon2 off the loop (gatehouse)' : 'argon2 on the loop (lab.syncHashOnLoop)',
      figures: {
        quietP99: quiet.p99,
        busyP50: busy.p50,
        busyP99: busy.p99,
        busyMax: busy.max,
        busyRps: busy.rps,
        loginsPerSec: login.rps,
        loginP99: login.p99,
        errors: quiet.errors + busy.errors + login.errors,
      },
    };
  } finally {
    await stopServer(child);
  }
}

/** Of several rounds, the one with the lowest p99 under logins: the same rule for both modes. */
function best(rows: BenchRow[]): BenchRow {
  return rows.reduce((a, b) => ((b.figures.busyP99 ?? Infinity) < (a.figures.busyP99 ?? Infinity) ? b : a));
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  // Few enough connections that queueing alone does not set the p99; rounds alternate the two modes so
  // a noisy neighbour on the machine hits both alike.
  const connections = Math.min(ctx.connections, 16);
  const rounds = ctx.quick ? 1 : 3;
  const offRows: BenchRow[] = [];
  const onRows: BenchRow[] = [];
  for (let r = 1; r <= rounds; r += 1) {
    const tag = rounds > 1 ? ` (round ${r}/${rounds})` : '';
    offRows.push(await measureMode(ctx, 'off', connections, tag));
    onRows.push(await measureMode(ctx, 'on', connections, tag));
  }
  const off = best(offRows);
  const on = best(onRows);
  const cost = off.figures.busyP99 ? on.figures.busyP99! / off.figures.busyP99 : NaN;
  return {
    area: 'event-loop',
    tables: [
      {
        title: 'GET /api/me while logins hash passwords (argon2id, 19 MiB, t=2)',
        columns: [
          { key: 'quietP99', label: '/api/me p99 ms, no logins' },
          { key: 'busyP50', label: '/api/me p50 ms, during logins' },
          { key: 'busyP99', label: '/api/me p99 ms, during logins' },
          { key: 'busyMax', label: '/api/me max ms, during logins' },
          { key: 'busyRps', label: '/api/me req/s, during logins' },
          { key: 'loginsPerSec', label: 'logins/s' },
          { key: 'loginP99', label: 'login p99 ms' },
          { key: 'errors', label: 'non-2xx + errors' },
        ],
        rows: [off, on],
        baseline: off.subject,
        notes: [
          `Blocking the loop with the hash multiplied the p99 of the other requests by ${Number.isFinite(cost) ? cost.toFixed(1) : '–'} (same node, same load, same run).`,
          `${connections} connections on GET /api/me (bearer JWT) and ${LOGIN_CONNECTIONS} on POST /api/auth/jwt/login, ${ctx.durationSec} s each, best of ${rounds} alternating round(s) by p99 under logins, ` +
            'against a real node (buildApp, SQLite) in its own process. Logins carry distinct X-Forwarded-For addresses so the per-address rate limit does not answer them with 429.',
        ],
      },
    ],
  };
}
