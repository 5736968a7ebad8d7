import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer, type RunningBalancer } from '../balancer.js';
import { startRecorder, type Recorder } from '../testing/recorder.js';
import { converse, readResponses } from '../testing/responses.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

// Every test runs through the lean socket-level path and through node:http only.
describe.each([{ fastPath: true }, { fastPath: false }])('request framing (fastPath: $fastPath)', ({ fastPath }) => {
  async function setup(config: Record<string, unknown> = {}): Promise<{ lb: RunningBalancer; recorder: Recorder }> {
    const recorder = await startRecorder();
    cleanups.push(() => recorder.close());
    const lb = await startBalancer({ listen: '127.0.0.1:0', admin: false, fastPath, backends: [`127.0.0.1:${recorder.port}`], ...config });
    cleanups.push(() => lb.close());
    return { lb, recorder };
  }

  /** Closes the balancer (so every upstream connection ends) and waits for the backend to see it. */
  async function settle(lb: RunningBalancer, recorder: Recorder): Promise<void> {
    await lb.close();
    await recorder.allClosed();
  }

  it.each(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'POST', 'PUT'])('a chunked %s body reaches the backend as that request’s body, never as a second request', async (method) => {
    const { lb, recorder } = await setup();
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: victim\r\nCookie: sid=attacker\r\n\r\n';
    const attack = `${method} /outer HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const text = await converse(lb.port, attack, { enough: (t) => readResponses(t, [method]).responses.length === 1 });
    expect(readResponses(text, [method]).responses[0]?.status).toBe(200);
    await settle(lb, recorder);
    expect(recorder.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`${method} /outer`]);
    expect(recorder.requests[0]!.body).toBe(smuggled);
    expect([...recorder.connections.values()].map((c) => c.parseError).filter(Boolean)).toEqual([]);
  });
});
