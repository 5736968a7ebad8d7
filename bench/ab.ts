// `npx tsx bench/ab.ts A_MAIN B_MAIN [KIND...] [--rounds N] [--slice SEC] [--env-a K=V…] [--env-b K=V…] [--bare]`:
// two builds of the CLI (say a copy of dist/ from before a change, and dist/ after it) as `gatehouse serve`
// nodes side by side, each kind of request loaded on A and B in alternating slices, CPU µs/request of
// each. How a change to the request path is kept or dropped: only ratios inside one such run are
// compared. `--env-b LOG_LEVEL=warn` with the same build twice measures one setting; `--bare` adds a
// bare Fastify route to the same slices, the floor every ratio is read against.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCpuInterleaved, type CpuSubject } from './lib/cpu-load.js';
import { startChildServer, stopChildServer } from './lib/child-server.js';
import type { ServerLine } from './sessions/common.js';
import { startServeNode, type ServeNode } from './lib/serve-node.js';

const KINDS = ['healthz', 'session', 'cookie', 'jwt'] as const;
type Kind = (typeof KINDS)[number];

function subject(node: ServeNode, kind: Kind): CpuSubject {
  const { base, pid, credentials } = node;
  if (kind === 'healthz') return { pid, url: `${base}/healthz` };
  if (kind === 'session') return { pid, url: `${base}/api/me`, headers: { cookie: credentials.session } };
  if (kind === 'cookie') return { pid, url: `${base}/api/me`, headers: { cookie: credentials.cookie } };
  return { pid, url: `${base}/api/me`, headers: { authorization: `Bearer ${credentials.jwt}` } };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string' },
    slice: { type: 'string' },
    'env-a': { type: 'string', multiple: true },
    'env-b': { type: 'string', multiple: true },
    bare: { type: 'boolean' },
  },
});
const envOf = (pairs: string[] | undefined): Record<string, string> =>
  Object.fromEntries((pairs ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const [a, b, ...rest] = positionals;
if (!a || !b) throw new Error('usage: bench/ab.ts A_MAIN B_MAIN [KIND...]');
const kinds = rest.length > 0 ? rest.filter((k): k is Kind => (KINDS as readonly string[]).includes(k)) : [...KINDS];
const nodeA = await startServeNode({ main: resolve(a), env: envOf(values['env-a']) });
const nodeB = await startServeNode({ main: resolve(b), env: envOf(values['env-b']) });
const bare = values.bare ? await startChildServer<ServerLine>(resolve('bench/sessions/peer-server.ts'), ['bare'], 'bare route') : null;
try {
  const subjects: Record<string, CpuSubject> = {};
  if (bare) subjects.bare = { pid: bare.child.pid!, url: `http://127.0.0.1:${bare.info.port}${bare.info.path}` };
  for (const kind of kinds) {
    subjects[`A ${kind}`] = subject(nodeA, kind);
    subjects[`B ${kind}`] = subject(nodeB, kind);
  }
  const figures = await measureCpuInterleaved(subjects, { connections: 50, rounds: Number(values.rounds ?? 3), sliceSec: Number(values.slice ?? 3), warmupSec: 2 });
  const floor = figures.bare;
  if (floor) console.log(`bare     ${String(floor.cpuUs).padStart(4)} µs (${floor.rps} req/s)`);
  for (const kind of kinds) {
    const fa = figures[`A ${kind}`]!;
    const fb = figures[`B ${kind}`]!;
    console.log(`${kind.padEnd(8)} A ${String(fa.cpuUs).padStart(4)} µs (${fa.rps} req/s)  B ${String(fb.cpuUs).padStart(4)} µs (${fb.rps} req/s)  B/A ${(fb.cpuUs / fa.cpuUs).toFixed(2)}×${fa.non2xx + fb.non2xx ? `  non-2xx ${fa.non2xx}/${fb.non2xx}` : ''}`);
  }
} finally {
  await Promise.all([nodeA.stop(), nodeB.stop(), bare ? stopChildServer(bare.child) : undefined]);
}
