// `npm run bench -- realtime`: one node holding many JWT-authenticated sockets
// (memory per socket), room fan-out (deliveries/s, p50/p99 latency), the same load on plain socket.io
// in the same run, and cross-node delivery latency on the Redis Streams adapter. Servers and client
// workers are separate processes, so each process's memory and file limit is its own.
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { io, type Socket } from 'socket.io-client';
import type { BenchContext, BenchSection, BenchTable } from './lib/types.js';
import { FAN_ROOM, percentile, wallNow, type MemorySample, type ServerKind, type WorkerCommand, type WorkerReport } from './realtime/protocol.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const SERVER = here('./realtime/server.ts');
const CLIENTS = here('./realtime/clients.ts');
const KiB = 1024;

function openFileLimit(): number {
  try {
    return Number(execSync('sh -c "ulimit -n"').toString().trim()) || 1024;
  } catch {
    return 1024;
  }
}

function nextMessage<T>(child: ChildProcess, match: (m: T) => boolean, timeoutMs = 300_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.off('message', listener), reject(new Error('bench child did not answer'))), timeoutMs);
    const listener = (m: unknown) => {
      if (!match(m as T)) return;
      clearTimeout(timer);
      child.off('message', listener);
      resolve(m as T);
    };
    child.on('message', listener);
  });
}

async function startServer(kind: ServerKind, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; mem(): Promise<MemorySample['mem']>; stop(): Promise<void> }> {
  const child = fork(SERVER, [], { execArgv: ['--import', 'tsx', '--expose-gc'], env: { ...process.env, BENCH_SERVER: kind, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { ready } = await nextMessage<{ ready?: number }>(child, (m) => typeof m?.ready === 'number');
  return {
    child,
    url: `http://127.0.0.1:${ready}`,
    async mem() {
      const answer = nextMessage<MemorySample>(child, (m) => Boolean(m?.mem));
      child.send({ command: 'mem' });
      return (await answer).mem;
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ command: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function startWorker(): ChildProcess {
  return fork(CLIENTS, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

async function command<T extends WorkerReport>(worker: ChildProcess, cmd: WorkerCommand, match: (m: T) => boolean): Promise<T> {
  const answer = nextMessage<T>(worker, match);
  worker.send(cmd);
  return answer;
}

interface Keys {
  privateJwk: JWK;
  publicJwk: JWK;
  sign(user: string): Promise<string>;
}

async function makeKeys(): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const key = await importJWK(privateJwk, 'EdDSA');
  return {
    privateJwk,
    publicJwk: await exportJWK(publicKey),
    sign: (user) => new SignJWT({ sid: `fam-${user}` }).setProtectedHeader({ alg: 'EdDSA' }).setSubject(user).setIssuedAt().setExpirationTime('2h').sign(key),
  };
}

async function openSender(url: string, token: string | undefined): Promise<Socket> {
  const socket = io(`${url}/chat`, { transports: ['websocket'], reconnection: false, forceNew: true, ...(token ? { auth: { token } } : {}) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  await socket.timeout(60_000).emitWithAck('room:join', FAN_ROOM);
  return socket;
}

/**
 * Sends for `durationSec`: as fast as a window of unacknowledged messages allows (throughput), or paced
 * at `perSecond` (latency without queueing). Returns how many were sent.
 */
async function sendFor(sender: Socket, durationSec: number, options: { window?: number; perSecond?: number } = {}): Promise<{ sent: number; startedAt: number }> {
  const startedAt = wallNow();
  const end = Date.now() + durationSec * 1000;
  const padding = 'x'.repeat(80);
  let sent = 0;
  const one = () => sender.timeout(60_000).emitWithAck('message:send', { room: FAN_ROOM, text: `${wallNow()}|${padding}` }).then(() => void (sent += 1));
  if (options.perSecond) {
    const gap = 1000 / options.perSecond;
    const inFlight: Promise<void>[] = [];
    for (let next = Date.now(); next < end; next += gap) {
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      inFlight.push(one());
    }
    await Promise.all(inFlight);
    return { sent, startedAt };
  }
  const lane = async () => {
    while (Date.now() < end) await one();
  };
  await Promise.all(Array.from({ length: options.window ?? 16 }, lane));
  return { sent, startedAt };
}

interface FanOut {
  deliveriesPerSec: number;
  p50: number;
  p99: number;
  sent: number;
  delivered: number;
  expected: number;
  stillConnected: number;
}

/** Waits until the workers stop receiving, then merges their figures. */
async function collect(workers: ChildProcess[], expected: number, startedAt: number): Promise<FanOut & { lastAt: number }> {
  let previous = -1;
  let reports: Extract<WorkerReport, { deliveries: number }>[] = [];
  const deadline = Date.now() + 120_000;
  for (;;) {
    reports = await Promise.all(workers.map((w) => command<Extract<WorkerReport, { deliveries: number }>>(w, { command: 'report' }, (m) => 'deliveries' in m)));
    const total = reports.reduce((n, r) => n + r.deliveries, 0);
    if (total >= expected || total === previous || Date.now() > deadline) break;
    previous = total;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const delivered = reports.reduce((n, r) => n + r.deliveries, 0);
  const lastAt = Math.max(...reports.map((r) => r.lastAt));
  const latencies = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    deliveriesPerSec: delivered / ((lastAt - startedAt) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    sent: 0,
    delivered,
    expected,
    stillConnected: reports.reduce((n, r) => n + r.stillConnected, 0),
    lastAt,
  };
}

interface NodeResult {
  sockets: number;
  failed: number;
  rssPerSocket: number;
  heapPerSocket: number;
  connectPerSec: number;
  fan: FanOut;
}

async function measureNode(kind: ServerKind, ctx: BenchContext, plan: { sockets: number; receivers: number; perWorker: number }, keys: Keys): Promise<NodeResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-bench-rt-'));
  const server = await startServer(kind, { BENCH_PUBLIC_JWK: JSON.stringify(keys.publicJwk), BENCH_DATA_DIR: dataDir });
  const workers: ChildProcess[] = [];
  try {
    const before = await server.mem();
    const workerCount = Math.ceil(plan.sockets / plan.perWorker);
    for (let i = 0; i < workerCount; i++) workers.push(startWorker());
    ctx.progress(`realtime: ${kind}: connecting ${plan.sockets} sockets`);
    const connectStart = Date.now();
    const connects = await Promise.all(
      workers.map((w, i) => {
        const count = Math.min(plan.perWorker, plan.sockets - i * plan.perWorker);
        return command<Extract<WorkerReport, { connected: number }>>(
          w,
          { command: 'connect', url: server.url, count, firstUser: i * plan.perWorker, ...(kind === 'gatehouse' ? { privateJwk: keys.privateJwk } : {}) },
          (m) => 'connected' in m,
        );
      }),
    );
    const connectSec = (Date.now() - connectStart) / 1000;
    const connected = connects.reduce((n, r) => n + r.connected, 0);
    const failed = connects.reduce((n, r) => n + r.failed, 0);
    if (failed) ctx.progress(`realtime: ${kind}: ${failed} sockets failed (${connects.find((c) => c.firstError)?.firstError ?? ''})`);
    const after = await server.mem();
    ctx.progress(`realtime: ${kind}: ${after.sockets} sockets held; joining ${plan.receivers} to the fan-out room`);

    const perWorkerJoin = Math.ceil(plan.receivers / workers.length);
    await Promise.all(workers.map((w) => command(w, { command: 'join', joiners: perWorkerJoin }, (m) => 'joined' in m)));
    const receivers = perWorkerJoin * workers.length;
    const sender = await openSender(server.url, kind === 'gatehouse' ? await keys.sign('bench-sender') : undefined);
    ctx.progress(`realtime: ${kind}: fan-out to ${receivers} for ${ctx.durationSec}s`);
    const { sent, startedAt } = await sendFor(sender, ctx.durationSec);
    const fan = await collect(workers, sent * receivers, startedAt);
    sender.disconnect();
    return {
      sockets: after.sockets,
      failed,
      rssPerSocket: (after.rss - before.rss) / Math.max(1, after.sockets) / KiB,
      heapPerSocket: (after.heapUsed + after.external - before.heapUsed - before.external) / Math.max(1, after.sockets) / KiB,
      connectPerSec: connected / connectSec,
      fan: { ...fan, sent },
    };
  } finally {
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.send({ command: 'exit' })))));
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One fan-out on a fresh server holding only the receivers and the sender. */
async function fanOutOnce(kind: ServerKind, ctx: BenchContext, receivers: number, keys: Keys): Promise<FanOut> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-bench-rt-'));
  const server = await startServer(kind, { BENCH_PUBLIC_JWK: JSON.stringify(keys.publicJwk), BENCH_DATA_DIR: dataDir });
  const workers = [startWorker(), startWorker()];
  try {
    const each = Math.ceil(receivers / workers.length);
    const jwk = kind === 'gatehouse' ? { privateJwk: keys.privateJwk as Record<string, unknown> } : {};
    await Promise.all(workers.map((w, i) => command(w, { command: 'connect', url: server.url, count: each, firstUser: 100_000 + i * each, ...jwk }, (m) => 'connected' in m)));
    await Promise.all(workers.map((w) => command(w, { command: 'join', joiners: each }, (m) => 'joined' in m)));
    const sender = await openSender(server.url, kind === 'gatehouse' ? await keys.sign('bench-sender') : undefined);
    const { sent, startedAt } = await sendFor(sender, ctx.durationSec);
    const fan = await collect(workers, sent * each * workers.length, startedAt);
    sender.disconnect();
    return { ...fan, sent };
  } finally {
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.send({ command: 'exit' })))));
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Fan-out compared fairly on a shared machine: rounds alternate which subject goes first, and each
 * subject's median round (by deliveries/s) is reported, so load drifting during the run favours neither.
 */
async function interleavedFanOut(ctx: BenchContext, receivers: number, keys: Keys, rounds: number): Promise<{ plain: FanOut; gatehouse: FanOut; all: string[] }> {
  const results: Record<ServerKind, FanOut[]> = { plain: [], gatehouse: [] };
  for (let round = 0; round < rounds; round++) {
    const order: ServerKind[] = round % 2 === 0 ? ['plain', 'gatehouse'] : ['gatehouse', 'plain'];
    for (const kind of order) {
      ctx.progress(`realtime: fan-out round ${round + 1}/${rounds}: ${kind} to ${receivers}`);
      results[kind].push(await fanOutOnce(kind, ctx, receivers, keys));
    }
  }
  const median = (list: FanOut[]) => [...list].sort((a, b) => a.deliveriesPerSec - b.deliveriesPerSec)[Math.floor(list.length / 2)]!;
  const all = (['plain', 'gatehouse'] as const).map((k) => `${k}: ${results[k].map((r) => Math.round(r.deliveriesPerSec)).join(', ')} deliveries/s`);
  return { plain: median(results.plain), gatehouse: median(results.gatehouse), all };
}

function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port || 6379), hostname);
    s.setTimeout(2_000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** Two gatehouse nodes on the Redis Streams adapter: the sender on one, every receiver on the other. */
async function measureCrossNode(ctx: BenchContext, receivers: number, keys: Keys, redisUrl: string): Promise<FanOut> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-bench-rt-'));
  const env = { BENCH_PUBLIC_JWK: JSON.stringify(keys.publicJwk), BENCH_DATA_DIR: dataDir, BENCH_REDIS_URL: redisUrl, BENCH_KEY_PREFIX: `ghbench:${process.pid}:` };
  const sending = await startServer('gatehouse', env);
  const receiving = await startServer('gatehouse', env);
  const worker = startWorker();
  try {
    await command(worker, { command: 'connect', url: receiving.url, count: receivers, privateJwk: keys.privateJwk }, (m) => 'connected' in m);
    await command(worker, { command: 'join', joiners: receivers }, (m) => 'joined' in m);
    const sender = await openSender(sending.url, await keys.sign('bench-sender'));
    ctx.progress(`realtime: cross-node (Redis Streams): fan-out to ${receivers} on the other node for ${ctx.durationSec}s`);
    const { sent, startedAt } = await sendFor(sender, ctx.durationSec, { perSecond: CROSS_NODE_RATE });
    const fan = await collect([worker], sent * receivers, startedAt);
    sender.disconnect();
    return { ...fan, sent };
  } finally {
    await new Promise<void>((resolve) => (worker.once('exit', () => resolve()), worker.send({ command: 'exit' })));
    await Promise.all([sending.stop(), receiving.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Messages per second in the cross-node run: paced, so its latency is the adapter's, not a queue's. */
const CROSS_NODE_RATE = 20;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const fdLimit = openFileLimit();
  // One server process holds every socket: it needs one descriptor each plus its own handful.
  const override = Number(process.env.GH_BENCH_REALTIME_SOCKETS);
  const sockets = override > 0 ? Math.min(override, fdLimit - 150) : ctx.quick ? 2_000 : Math.min(20_000, fdLimit - 150);
  const receivers = ctx.quick ? 200 : 1_000;
  const perWorker = Math.min(5_000, fdLimit - 150);
  const keys = await makeKeys();
  const plan = { sockets, receivers, perWorker };

  const plain = await measureNode('plain', ctx, plan, keys);
  const gatehouse = await measureNode('gatehouse', ctx, plan, keys);
  const rounds = ctx.quick ? 1 : 3;
  const interleaved = await interleavedFanOut(ctx, receivers, keys, rounds);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const cross = (await redisReachable(redisUrl)) ? await measureCrossNode(ctx, ctx.quick ? 100 : 500, keys, redisUrl) : null;

  const PLAIN = 'plain socket.io';
  const GH = 'gatehouse (memory adapter)';
  const holding: BenchTable = {
    title: 'Sockets held on one node',
    columns: [
      { key: 'sockets', label: 'sockets held' },
      { key: 'heapPerSocketKiB', label: 'heap+external / socket (KiB)' },
      { key: 'rssPerSocketKiB', label: 'RSS / socket (KiB)' },
      { key: 'connectPerSec', label: 'handshakes/s' },
    ],
    baseline: PLAIN,
    rows: [
      { subject: PLAIN, peer: true, figures: { sockets: plain.sockets, heapPerSocketKiB: round(plain.heapPerSocket), rssPerSocketKiB: round(plain.rssPerSocket), connectPerSec: Math.round(plain.connectPerSec) } },
      { subject: GH, figures: { sockets: gatehouse.sockets, heapPerSocketKiB: round(gatehouse.heapPerSocket), rssPerSocketKiB: round(gatehouse.rssPerSocket), connectPerSec: Math.round(gatehouse.connectPerSec) } },
    ],
    targets: [{ subject: GH, against: PLAIN, key: 'heapPerSocketKiB', max: 1.15, label: 'memory per socket ≤ 115% of plain socket.io' }],
    notes: [
      `Target 20,000 sockets on one node; asked for ${sockets} (open-file limit per process here: ${fdLimit}; GH_BENCH_REALTIME_SOCKETS overrides).`,
      'Every gatehouse socket passed an EdDSA access-token check (jose) at the handshake and carries an expiry timer; plain socket.io authenticates nothing.',
      'Memory: server process after two full GCs, with sockets minus before, divided by sockets.',
    ],
  };
  const fan: BenchTable = {
    title: `Room fan-out at saturation (${receivers} receivers, one sender, 16 messages in flight; median of ${rounds} alternating rounds)`,
    columns: [
      { key: 'deliveriesPerSec', label: 'deliveries/s' },
      { key: 'p50', label: 'p50 (ms)' },
      { key: 'p99', label: 'p99 (ms)' },
      { key: 'sent', label: 'messages sent' },
      { key: 'lost', label: 'not delivered' },
    ],
    baseline: PLAIN,
    rows: [PLAIN, GH].map((subject) => {
      const r = subject === PLAIN ? interleaved.plain : interleaved.gatehouse;
      return {
        subject,
        ...(subject === PLAIN ? { peer: true } : {}),
        figures: { deliveriesPerSec: Math.round(r.deliveriesPerSec), p50: round(r.p50, 2), p99: round(r.p99, 2), sent: r.sent, lost: r.expected - r.delivered },
      };
    }),
    targets: [{ subject: GH, against: PLAIN, key: 'deliveriesPerSec', min: 0.85, label: 'fan-out throughput ≥ 85% of plain socket.io' }],
    notes: [
      'gatehouse also validates each payload, rate-limits, stores each message in SQLite before sending it, and keeps every packet for connection-state recovery.',
      `Each round runs on a fresh server holding only the receivers; rounds: ${interleaved.all.join('; ')}.`,
      `With ${sockets} sockets held on the node as well (one round each, plain first): plain ${Math.round(plain.fan.deliveriesPerSec)}/s (p99 ${round(plain.fan.p99)} ms), gatehouse ${Math.round(gatehouse.fan.deliveriesPerSec)}/s (p99 ${round(gatehouse.fan.p99)} ms).`,
      'Receivers, sender and server share the machine\'s 2 cores; the client workers are part of the load.',
    ],
  };
  const crossTable: BenchTable = {
    title: `Cross-node delivery on the Redis Streams adapter (sender on node 1 at ${CROSS_NODE_RATE} msg/s, receivers on node 2)`,
    columns: [
      { key: 'deliveriesPerSec', label: 'deliveries/s' },
      { key: 'p50', label: 'p50 (ms)' },
      { key: 'p99', label: 'p99 (ms)' },
      { key: 'sent', label: 'messages sent' },
    ],
    rows: [
      cross
        ? { subject: 'gatehouse (2 nodes, Redis Streams)', figures: { deliveriesPerSec: Math.round(cross.deliveriesPerSec), p50: round(cross.p50, 2), p99: round(cross.p99, 2), sent: cross.sent } }
        : { subject: 'gatehouse (2 nodes, Redis Streams)', missing: `Redis not reachable at ${redisUrl}`, figures: {} },
    ],
  };
  return { area: 'realtime', tables: [holding, fan, crossTable] };
}
