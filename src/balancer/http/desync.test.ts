import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer } from '../balancer.js';
import { corpusCases, generatedCases } from '../../../test/support/balancer/desync-cases.js';
import { differential, runReference, type DesyncCase } from '../../../test/support/balancer/desync.js';
import { startRecorder, type Recorder } from '../../../test/support/balancer/recorder.js';

// The differential desync suite: every case's bytes are framed by Node's own parser (llhttp) once
// straight from the client and once after the balancer, and the two must agree (see test/support/balancer/desync.ts).
// Generated cases: one request each, pipelined PER_CONNECTION to a connection, through each path.
const CONNECTIONS = 625;
const PER_CONNECTION = 16;
const GENERATED = CONNECTIONS * PER_CONNECTION;
const SEED = 1717;
// Connections in flight at once; each case is one connection, pipelining its requests.
const WIDTH = 24;

const corpus = corpusCases(0);
const generated = generatedCases(corpus.length, CONNECTIONS, PER_CONNECTION, SEED);
const all: DesyncCase[] = [...corpus, ...generated];

let reference: Recorder;
beforeAll(async () => {
  reference = await startRecorder();
  await runReference(all, reference, WIDTH);
}, 120_000);
afterAll(async () => {
  await reference.close();
});

describe.each([{ fastPath: true }, { fastPath: false }])('desync (fastPath: $fastPath)', ({ fastPath }) => {
  it(`frames the corpus (${corpus.length} cases) and ${GENERATED} generated cases exactly as the backend does`, async () => {
    const backend = await startRecorder();
    try {
      // Generous timeouts: on a crowded machine a 504 would be the machine's doing, not the framing's.
      const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, fastPath, retries: 0, passive: { maxFailures: 0 }, timeouts: { connect: '60s', response: '60s' }, backends: [`127.0.0.1:${backend.port}`] });
      const problems = await differential(all, reference, { port: lb.port, backend, close: () => lb.close() }, WIDTH);
      expect(problems.slice(0, 15)).toEqual([]);
      // The suite means something only if the cases really reach the backend and really get refused.
      expect(backend.requests.length).toBeGreaterThan(GENERATED / 5);
    } finally {
      await backend.close();
    }
    // A bound for a hang, not a speed target: the suite is event-driven and each case ends on its own.
  }, 120_000);
});

it('the corpus holds every shape the suite promises', () => {
  const names = corpus.map((c) => c.name).join('\n');
  for (const shape of ['CL.TE', 'TE.CL', 'repeated differing Content-Length', 'obs-fold', 'bare LF', 'NUL', 'absolute-form', 'HTTP/1.0', 'pipelined', 'upgrade']) {
    expect(names).toContain(shape);
  }
  // Generated cases are deterministic (fixed seed), and some connections are valid from end to end.
  expect(generatedCases(0, 50, PER_CONNECTION, SEED).map((c) => c.bytes)).toEqual(generatedCases(0, 50, PER_CONNECTION, SEED).map((c) => c.bytes));
  expect(generated.filter((c) => c.expect === 'forward').length).toBeGreaterThan(0);
});
