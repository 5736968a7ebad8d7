// The fault suite's own stores and load: a private redis-server and a private PostgreSQL cluster on
// free ports in temporary directories (never the shared ones the rest of the tests use), which a test
// may kill, freeze (SIGSTOP) and restart, and a light, steady load that records every answer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { DEFAULT_CONFIG, startBalancer, type RunningBalancer } from '../../src/balancer/index.js';
import { buildApp, type GatehouseApp } from '../../src/http/index.js';
import { createClientManager } from '../../src/oauth/index.js';
import { until } from '../support/wait.js';
import { freePort, TEST_SECRET } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';

/** Waits until `child` prints `pattern` (or fails when it exits first). */
function printed(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${output}`)));
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

export interface PrivateStore {
  url: string;
  port: number;
  /** SIGKILL: the store dies without a chance to flush anything. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the store keeps its connections but answers nothing. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/**
 * redis-server on a free port, configured as docs/operations.md asks for sessions kept in Redis:
 * append-only file on (fsync every second), no RDB snapshots.
 */
export async function startPrivateRedis(): Promise<PrivateStore> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-faults-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await printed(child, /Ready to accept connections/, 'redis-server');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited(child);
    },
    restart: start,
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  return join(root, versions[0], 'bin');
}

/** initdb refuses to run as root: the cluster then belongs to the `postgres` OS user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
  return { uid, gid };
}

/** Every process of the cluster: the postmaster and its children (backends, checkpointer, …). */
function clusterPids(postmaster: number): number[] {
  const pids = [postmaster];
  for (const task of readdirSync(`/proc/${postmaster}/task`)) {
    const file = `/proc/${postmaster}/task/${task}/children`;
    if (existsSync(file)) pids.push(...readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return pids;
}

/** A PostgreSQL cluster of its own (initdb + pg_ctl) in a temporary directory on a free port, trust auth. */
export async function startPrivatePostgres(): Promise<PrivateStore> {
  const bin = postgresBin();
  const owner = postgresUser();
  const dir = await mkdtemp(join(tmpdir(), 'gh-faults-pg-'));
  chmodSync(dir, 0o700);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  // Never spawnSync here: the nodes under test share this event loop, and a blocked loop would look
  // like slow requests.
  const run = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(join(bin, tool), args, { ...(owner ?? {}), cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (${code}): ${output}`))));
    });
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60`;
  const start = async () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const postmaster = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  await start();
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of clusterPids(postmaster())) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone already
      }
    }
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async kill() {
      signalAll('SIGCONT');
      // Immediate mode: every server process quits without a checkpoint, as in a crash.
      await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    restart: start,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    async stop() {
      signalAll('SIGCONT');
      await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Outcome {
  route: string;
  status: number;
  /** `error` of a JSON error body (GH_… or an OAuth error). */
  code: string | null;
  retryAfter: string | null;
  ms: number;
}

export interface LoadRoute {
  /** A class name for counting (public, session, jwt, …). */
  name: string;
  send(): Promise<Response>;
  /** Statuses besides 200 and 503 that are right answers here (a refused login: 401, 429). */
  alsoAllowed?: number[];
  /** The `error` of this route's 503 (GH_STORAGE_UNAVAILABLE unless said; OAuth says temporarily_unavailable). */
  unavailableCode?: string;
}

/**
 * A steady, light load: `concurrency` loops each sending one request of the next route, recording
 * every outcome in the current phase. A transport failure is recorded as status 0.
 */
export function startLoad(routes: LoadRoute[], concurrency = 3) {
  const phases = new Map<string, Outcome[]>();
  let phase = 'start';
  let running = true;
  let turn = 0;
  const loop = async () => {
    while (running) {
      const route = routes[turn++ % routes.length]!;
      const began = performance.now();
      const bucket = phase;
      let outcome: Outcome;
      try {
        const response = await route.send();
        const text = await response.text();
        let code: string | null = null;
        try {
          const body = JSON.parse(text) as { error?: unknown };
          code = typeof body?.error === 'string' ? body.error : null;
        } catch {
          code = null;
        }
        outcome = { route: route.name, status: response.status, code, retryAfter: response.headers.get('retry-after'), ms: performance.now() - began };
      } catch {
        outcome = { route: route.name, status: 0, code: null, retryAfter: null, ms: performance.now() - began };
      }
      let list = phases.get(bucket);
      if (!list) phases.set(bucket, (list = []));
      list.push(outcome);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    /** Later outcomes count under `name`. */
    phase(name: string) {
      phase = name;
    },
    outcomes: (name: string) => phases.get(name) ?? [],
    /** `{ route: { status: count } }` of one phase: what the report prints. */
    tally(name: string): Record<string, Record<string, number>> {
      const out: Record<string, Record<string, number>> = {};
      for (const o of phases.get(name) ?? []) {
        const key = o.status === 503 ? `503 ${o.code}` : String(o.status);
        (out[o.route] ??= {})[key] = (out[o.route]![key] ?? 0) + 1;
      }
      return out;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** How long a fault test waits for a store to fail or recover: a hang guard, generous for a loaded machine. */
export const FAULT_WAIT = { timeoutMs: 45_000 } as const;

/** The timeout of a fault test (a store killed, frozen and restarted under load): a hang guard above its several waits. */
export const FAULT_TEST_TIMEOUT_MS = 180_000;

/** Bounds small enough for a quick suite, the same for every node of a fault test. */
export const FAULT_BOUNDS = { redisCommandTimeoutMs: 1_000, databaseStatementTimeoutMs: 1_000, databaseConnectTimeoutMs: 1_000, sqliteLockWaitMs: 250, retryAfterSec: 2 } as const;

/**
 * The longest a request may take while a store is frozen: the longest configured bound (the
 * PostgreSQL client timeout is the statement timeout + 500 ms), plus room for a loaded machine.
 */
export const REQUEST_BOUND_MS = FAULT_BOUNDS.databaseStatementTimeoutMs + 500 + 2_500;

export interface FaultCluster {
  /** The balancer: where the load goes. */
  url: string;
  nodes: GatehouseApp[];
  balancer: RunningBalancer;
  stop(): Promise<void>;
}

/** `count` real gatehouse nodes on the given stores behind the real balancer, health-checked on /readyz as `gatehouse up` does. */
export async function startFaultCluster(options: { count: number; databaseUrl?: string; redisUrl?: string; dataDir: string }): Promise<FaultCluster> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const nodes: GatehouseApp[] = [];
  const ports: number[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const nodePort = await freePort();
    const node = await buildApp({
      env: { GATEHOUSE_SECRET: TEST_SECRET },
      config: {
        server: { host: '127.0.0.1', port: nodePort, publicUrl: origin, dataDir: options.dataDir, nodeId: `fault-${i + 1}` },
        storage: { ...FAULT_BOUNDS, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}), ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}) },
      },
    });
    await node.listen();
    nodes.push(node);
    ports.push(nodePort);
  }
  const balancer = await startBalancer({
    ...DEFAULT_CONFIG,
    listen: { host: '127.0.0.1', port },
    admin: null,
    backends: ports.map((p, i) => ({ host: '127.0.0.1', port: p, id: `fault-${i + 1}` })),
    healthCheck: { path: '/readyz', intervalMs: 500, timeoutMs: 800, rise: 1, fall: 2 },
    slowStartMs: 0,
  });
  await until(() => balancer.pool.list().every((b) => b.state === 'up'), 'the balancer to see every node up', FAULT_WAIT);
  return {
    url: origin,
    nodes,
    balancer,
    async stop() {
      await balancer.close();
      for (const node of nodes) await node.close().catch(() => {});
    },
  };
}

const PUBLIC_PATHS = ['/healthz', '/readyz', '/openapi.json', '/', '/.well-known/jwks.json', '/oidc/.well-known/openid-configuration'];
export const FAULT_PHASES = ['baseline', 'killed', 'restarted', 'frozen', 'thawed'] as const;

/**
 * The common fault script: light load on public pages and on /api/me with a session cookie and with a
 * bearer token, while `store` is killed, restarted, frozen and thawed. Each phase lasts until the
 * answers it expects have been seen (not for a fixed time). `duringOutage` runs while the store is
 * down. Returns the outcomes by phase and every balancer state other than "up" seen meanwhile.
 */
export async function runFaultScript(options: {
  cluster: FaultCluster;
  store: PrivateStore;
  sessionCookie: () => string;
  bearer: string;
  duringOutage?: () => Promise<void>;
  /** More route classes under the same load (dependentRoutes: OAuth, login throttle, chat history). */
  routes?: LoadRoute[];
}): Promise<FaultResult> {
  const { cluster, store } = options;
  const origin = cluster.url;
  const routes: LoadRoute[] = [
    ...PUBLIC_PATHS.map((path) => ({ name: 'public', send: () => fetch(new URL(path, origin)) })),
    { name: 'session', send: () => fetch(new URL('/api/me', origin), { headers: { cookie: options.sessionCookie() } }) },
    { name: 'jwt', send: () => fetch(new URL('/api/me', origin), { headers: { authorization: `Bearer ${options.bearer}` } }) },
    ...(options.routes ?? []),
  ];
  const load = startLoad(routes);
  const count = (phase: string, route: string, status: number) => load.outcomes(phase).filter((o) => o.route === route && o.status === status).length;
  const credentials = (phase: string, status: number, n: number) => count(phase, 'session', status) >= n && count(phase, 'jwt', status) >= n;
  const ejected: string[] = [];
  const watchBalancer = setInterval(() => {
    for (const backend of cluster.balancer.pool.list()) if (backend.state !== 'up') ejected.push(`${backend.id}:${backend.state}`);
  }, 100);
  try {
    load.phase('baseline');
    await until(() => credentials('baseline', 200, 5), 'a baseline', FAULT_WAIT);
    load.phase('killed');
    await store.kill();
    await until(() => credentials('killed', 503, 5) && count('killed', 'public', 200) >= 20, 'coded 503s while the store is down', FAULT_WAIT);
    await options.duringOutage?.();
    load.phase('restarted');
    await store.restart();
    await until(() => credentials('restarted', 200, 3), 'credential checks to answer again after the restart', FAULT_WAIT);
    load.phase('frozen');
    store.freeze();
    await until(() => credentials('frozen', 503, 3) && count('frozen', 'public', 200) >= 10, 'coded 503s while the store is frozen', FAULT_WAIT);
    load.phase('thawed');
    store.thaw();
    await until(() => credentials('thawed', 200, 3), 'credential checks to answer again after the thaw', FAULT_WAIT);
  } finally {
    clearInterval(watchBalancer);
    await load.stop();
    store.thaw();
  }
  return { load, ejected, routes };
}

export interface FaultResult {
  load: ReturnType<typeof startLoad>;
  ejected: string[];
  routes: LoadRoute[];
}

/**
 * What must hold in every phase: only 200 or a coded 503 with Retry-After (never a 500, a dropped
 * connection or a balancer error), no request past the bound, public routes always 200 while the
 * store is down or frozen, and no node ejected. Returns the per-phase tally for the report.
 */
export function expectDegradedNotDark(
  result: FaultResult,
  options: { phases?: readonly string[]; outages?: readonly string[] } = {},
): Record<string, unknown> {
  const { load, ejected } = result;
  const phases = options.phases ?? FAULT_PHASES;
  const outages = options.outages ?? ['killed', 'frozen'];
  const byName = new Map(result.routes.map((r) => [r.name, r]));
  const report: Record<string, unknown> = {};
  for (const phase of phases) {
    const outcomes = load.outcomes(phase);
    report[phase] = { ...load.tally(phase), slowestMs: Math.round(Math.max(...outcomes.map((o) => o.ms))) };
    expect(outcomes.filter((o) => ![200, 503, ...(byName.get(o.route)?.alsoAllowed ?? [])].includes(o.status)), phase).toEqual([]);
    for (const o of outcomes.filter((x) => x.status === 503)) {
      const code = byName.get(o.route)?.unavailableCode ?? 'GH_STORAGE_UNAVAILABLE';
      expect(o, `${phase}: ${o.route} 503`).toMatchObject({ code, retryAfter: expect.stringMatching(/^\d+$/) });
    }
    expect(outcomes.filter((o) => o.ms > REQUEST_BOUND_MS), `${phase}: requests past ${REQUEST_BOUND_MS} ms`).toEqual([]);
  }
  for (const phase of outages) {
    // Fail open where nothing secret is at stake: pages, docs, JWKS, discovery and health.
    expect(load.outcomes(phase).filter((o) => o.route === 'public' && o.status !== 200), phase).toEqual([]);
  }
  // Readiness is about the node, not the store every node shares: nobody was ejected.
  expect(ejected, 'balancer states other than up').toEqual([]);
  return report;
}

/**
 * The route classes that depend on the stores beyond a credential check, each answering the load:
 * OAuth's token endpoint (client credentials) and token introspection, a refused login (the login
 * throttle counts it), and chat history read over a live Socket.IO connection (its ack is turned
 * into a status: 200, or 503 for GH_REALTIME_UNAVAILABLE with its retryAfterMs as Retry-After).
 */
export async function dependentRoutes(cluster: FaultCluster): Promise<{ routes: LoadRoute[]; close(): void }> {
  const origin = cluster.url;
  const node = cluster.nodes[0]!;
  const clients = createClientManager({ db: node.ctx.database.db, ids: node.ctx.ids, clock: node.ctx.clock });
  const client = (await clients.create({ name: 'faults', redirectUris: ['https://app.example/cb'], type: 'confidential', scopes: ['openid', 'profile:read'] })) as { client_id: string; client_secret?: string };
  const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
  const form = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' };
  const tokenRequest = () => fetch(new URL('/oidc/token', origin), { method: 'POST', headers: form, body: 'grant_type=client_credentials&scope=profile:read' });
  const issued = await tokenRequest();
  expect(issued.status).toBe(200);
  const accessToken = ((await issued.json()) as { access_token: string }).access_token;

  const thrower = freshUser('faults-throttle');
  expect((await new TestClient(origin).post('/api/auth/signup', thrower)).status).toBe(201);

  const chatter = freshUser('faults-history');
  const http = new TestClient(origin, { origin });
  expect((await http.post('/api/auth/signup', chatter)).status).toBe(201);
  expect((await http.post('/api/auth/session/login', { email: chatter.email, password: chatter.password })).status).toBe(200);
  const socket: Socket = io(`${origin}/chat`, { extraHeaders: { cookie: http.cookieHeader(), origin }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  expect((await socket.timeout(10_000).emitWithAck('room:join', 'faults-history')).error).toBeUndefined();
  for (const text of ['one', 'two', 'three']) expect((await socket.timeout(10_000).emitWithAck('message:send', { room: 'faults-history', text })).id).toBeDefined();

  const history = async (): Promise<Response> => {
    const ack = (await socket.timeout(10_000).emitWithAck('history', { room: 'faults-history', limit: 10 })) as { error?: string; retryAfterMs?: number; messages?: unknown[] };
    if (!ack.error) return Response.json(ack, { status: ack.messages?.length === 3 ? 200 : 500 });
    const unavailable = ack.error === 'GH_REALTIME_UNAVAILABLE';
    return Response.json(ack, { status: unavailable ? 503 : 500, headers: unavailable && ack.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(ack.retryAfterMs / 1000)) } : {} });
  };
  const oauth = { alsoAllowed: [] as number[], unavailableCode: 'temporarily_unavailable' };
  return {
    routes: [
      { name: 'oauth-token', send: tokenRequest, ...oauth },
      {
        name: 'oauth-introspection',
        send: () => fetch(new URL('/oidc/token/introspection', origin), { method: 'POST', headers: form, body: `token=${encodeURIComponent(accessToken)}` }),
        ...oauth,
      },
      // A wrong password: 401 until the throttle says 429 (with Retry-After); the throttle's store down is a 503.
      { name: 'throttle', send: () => fetch(new URL('/api/auth/session/login', origin), { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ email: thrower.email, password: 'not the password' }) }), alsoAllowed: [401, 429] },
      { name: 'history', send: history, unavailableCode: 'GH_REALTIME_UNAVAILABLE' },
    ],
    close: () => void socket.disconnect(),
  };
}
