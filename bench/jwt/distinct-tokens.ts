// The table of `npm run bench -- jwt` that no verification cache can help: a `gatehouse serve` node
// (default settings) answering GET /api/me with a distinct bearer token on every request, against
// @fastify/jwt verifying the very same tokens (the node's public key, the same algorithm), and the
// node with one token repeated. Servers run at once in their own processes; loads take turns.
import { fileURLToPath } from 'node:url';
import { CPU_TABLE_COLUMNS, measureCpuInterleaved, roundSpreadNotes, suspectRowNotes, type CpuSubject } from '../lib/cpu-load.js';
import { mintAccessTokens, startServeNode } from '../lib/serve-node.js';
import type { BenchContext, BenchRow, BenchTable } from '../lib/types.js';
import { startChild, stopChild } from '../sessions/common.js';

const PEER = fileURLToPath(new URL('./peer-server.ts', import.meta.url));
const ALG = 'EdDSA';
const SAME = `gatehouse serve, ${ALG}, same token`;
const DISTINCT = `gatehouse serve, ${ALG}, distinct token per request`;
const PEER_DISTINCT = `@fastify/jwt ${ALG}, distinct token per request`;
// The least any server can spend on this route: a bare Fastify route doing only the signature check.
const FLOOR = `bare Fastify route + the ${ALG} check alone, distinct token per request`;
// The node remembers 10 000 verified tokens (access-tokens.ts); cycling through more than that, in
// order, misses every time.
const CACHE_SIZE = 10_000;

export async function measureDistinctTokens(ctx: BenchContext): Promise<BenchTable> {
  const rows: BenchRow[] = [];
  const subjects: Record<string, CpuSubject> = {};
  const stops: (() => Promise<void>)[] = [];
  const cycle = (tokens: string[]) => {
    let i = 0;
    return () => ({ authorization: `Bearer ${tokens[i++ % tokens.length]}` });
  };
  try {
    ctx.progress('jwt: starting gatehouse serve');
    const node = await startServeNode({ progress: ctx.progress });
    stops.push(() => node.stop());
    ctx.progress('jwt: minting distinct tokens');
    const tokens = await mintAccessTokens(node, CACHE_SIZE * 2);
    subjects[SAME] = { pid: node.pid, url: `${node.base}/api/me`, headers: { authorization: `Bearer ${node.credentials.jwt}` } };
    subjects[DISTINCT] = { pid: node.pid, url: `${node.base}/api/me`, headersFor: cycle(tokens) };
    const peer = ctx.peers?.['@fastify/jwt'];
    if (peer && !peer.available) {
      rows.push({ subject: PEER_DISTINCT, peer: true, missing: peer.missing ?? 'not installed', figures: {} });
    } else {
      const { info, child } = await startChild<{ port: number; path: string }>(PEER, [node.base, node.dataDir, ALG]);
      stops.push(() => stopChild(child));
      subjects[PEER_DISTINCT] = { pid: child.pid!, url: `http://127.0.0.1:${info.port}${info.path}`, headersFor: cycle(tokens) };
      const floor = await startChild<{ port: number; path: string }>(PEER, [node.base, node.dataDir, ALG, 'floor']);
      stops.push(() => stopChild(floor.child));
      subjects[FLOOR] = { pid: floor.child.pid!, url: `http://127.0.0.1:${floor.info.port}${floor.info.path}`, headersFor: cycle(tokens) };
    }
    const rounds = ctx.quick ? 2 : 3;
    const figures = await measureCpuInterleaved(subjects, {
      connections: ctx.connections,
      rounds,
      sliceSec: Math.max(1, Math.round(ctx.durationSec / rounds)),
      warmupSec: Math.min(2, ctx.durationSec),
      progress: (m) => ctx.progress(`jwt distinct tokens: ${m}`),
    });
    for (const name of Object.keys(subjects)) rows.push({ subject: name, ...(name === PEER_DISTINCT || name === FLOOR ? { peer: true } : {}), figures: figures[name]! });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
  const targets: NonNullable<BenchTable['targets']> = [
    { subject: DISTINCT, against: PEER_DISTINCT, key: 'rps', min: 1.5, label: `distinct ${ALG} tokens ≥ 1.5× @fastify/jwt req/s` },
    { subject: DISTINCT, against: PEER_DISTINCT, key: 'cpuUs', max: 0.67, label: `CPU/request: distinct ${ALG} tokens ≤ 0.67× @fastify/jwt (≡ ≥ 1.5× req/s)` },
  ];
  const notes = [...suspectRowNotes(rows), ...roundSpreadNotes(rows, targets)];
  const cpu = (subject: string) => rows.find((r) => r.subject === subject)?.figures.cpuUs;
  const [peerCpu, floorCpu] = [cpu(PEER_DISTINCT), cpu(FLOOR)];
  if (peerCpu && floorCpu) {
    notes.push(
      `Reachable at all? The 1.5× target allows ${(peerCpu / 1.5).toFixed(0)} µs of CPU per request (@fastify/jwt's ${peerCpu.toFixed(0)} / 1.5); a bare Fastify route doing nothing but the ${ALG} check costs ${floorCpu.toFixed(0)} µs in this run (${(floorCpu / peerCpu).toFixed(2)}× @fastify/jwt). ${floorCpu > peerCpu / 1.5 ? 'No server doing this check per request can meet it; what is left to compare is how far above that floor each one stays.' : 'The floor is below the bound in this run.'}`,
    );
  }
  notes.push(
    `${CACHE_SIZE * 2} tokens for the bench user, signed by the node's own key in one refresh family, presented in turn (more than the node's ${CACHE_SIZE}-entry verification cache, so every request verifies a signature); @fastify/jwt verifies the same tokens with the node's published public key and reads the user from the node's SQLite file, as gatehouse's JWT row needs no user read (the profile is in the token) but checks the deny-list on every request.`,
    'The node is `gatehouse serve` with its defaults (embedded SQLite, default logging to a file), as in the sessions area; CPU µs/request is the server process\'s CPU over the requests it answered.',
  );
  return {
    title: 'GET /api/me on a `gatehouse serve` node with a distinct JWT per request',
    columns: CPU_TABLE_COLUMNS,
    rows,
    baseline: PEER_DISTINCT,
    targets,
    notes,
  };
}
