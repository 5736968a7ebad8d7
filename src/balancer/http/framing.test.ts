import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer, type RunningBalancer } from '../balancer.js';
import { startRecorder, type Recorder } from '../../../test/support/balancer/recorder.js';
import { converse, readResponses } from '../../../test/support/balancer/responses.js';

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

  it('an upgrade the backend refuses opens no tunnel: what follows is parsed as HTTP, with the balancer’s forwarding fields', async () => {
    const { lb, recorder } = await setup();
    const upgrade = 'GET /ws-refuse HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
    const next = 'GET /next HTTP/1.1\r\nHost: app\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n';
    const text = await converse(lb.port, upgrade + next, { enough: (t) => readResponses(t, ['GET', 'GET']).responses.length === 2 });
    expect(readResponses(text, ['GET', 'GET']).responses.map((r) => r.status)).toEqual([403, 200]);
    const seen = recorder.requests.find((r) => r.url === '/next');
    expect(seen).toBeDefined();
    const xff = seen!.rawHeaders.filter((_v, i) => i % 2 === 1 && seen!.rawHeaders[i - 1]!.toLowerCase() === 'x-forwarded-for');
    expect(xff).toEqual(['127.0.0.1']);
  });

  it('an accepted upgrade (101) carries bytes both ways', async () => {
    const { lb } = await setup();
    const text = await converse(lb.port, 'GET /ws-accept HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nping', { enough: (t) => t.includes('echo:ping') });
    expect(text).toMatch(/^HTTP\/1\.1 101 /);
    expect(text).toContain('echo:ping');
  });

  it('gives an HTTP/1.0 request without Host a Host, and turns an absolute-form target into origin-form', async () => {
    const { lb, recorder } = await setup();
    await converse(lb.port, 'GET /old HTTP/1.0\r\n\r\n');
    await converse(lb.port, 'GET http://App.Example/abs?q=1 HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n');
    const host = (r: (typeof recorder.requests)[number]): string[] => r.rawHeaders.filter((_v, i) => i % 2 === 1 && r.rawHeaders[i - 1]!.toLowerCase() === 'host');
    const old = recorder.requests.find((r) => r.url === '/old')!;
    expect(host(old)).toEqual([`127.0.0.1:${lb.port}`]);
    const abs = recorder.requests.find((r) => r.url === '/abs?q=1')!;
    expect(host(abs)).toEqual(['App.Example']);
  });

  it.each([
    ['an absolute target naming another host', 'GET http://admin.internal/ HTTP/1.1\r\nHost: app\r\n\r\n', 400, 'GH_BALANCER_HOST_MISMATCH'],
    ['too many header fields', `GET / HTTP/1.1\r\nHost: app\r\n${Array.from({ length: 150 }, (_, i) => `X-F${i}: v\r\n`).join('')}\r\n`, 431, 'GH_BALANCER_TOO_MANY_HEADERS'],
    ['an over-long request line', `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: app\r\n\r\n`, 414, 'GH_BALANCER_URI_TOO_LONG'],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: app\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'GH_BALANCER_AMBIGUOUS_LENGTH'],
  ])('refuses %s with a coded %s', async (_name, bytes, status, code) => {
    const { lb, recorder } = await setup({ limits: { maxHeaderBytes: 64 * 1024 } });
    const text = await converse(lb.port, bytes);
    const [res] = readResponses(text, ['GET']).responses;
    expect(res?.status).toBe(status);
    expect(res?.body).toContain(code);
    expect(recorder.requests).toEqual([]);
  });

  it('answers a request head that stalls with 408', async () => {
    const { lb, recorder } = await setup({ timeouts: { headers: '300ms', request: '600ms' } });
    const text = await converse(lb.port, 'GET / HTTP/1.1\r\nHost: app\r\nX-Slow: 1\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('GH_BALANCER_REQUEST_TIMEOUT');
    expect(recorder.requests).toEqual([]);
  });
});
