import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/index.js';
import { parseProxyHeader } from '../proxy-protocol/index.js';
import type { L4Target } from './types.js';
import { createUdpForwarder, type FlowCloseReason, type UdpForwarder, type UdpForwarderOptions } from './udp-forwarder.js';
import { until } from '../../../test/support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A UDP backend answering "<name> <who sent it> <text>", reading the sender from a PROXY v2 header when asked. */
async function udpBackend(name: string, options: { proxyProtocol?: boolean } = {}): Promise<L4Target> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let who = `${rinfo.address}:${rinfo.port}`;
    let body = msg;
    if (options.proxyProtocol) {
      const parsed = parseProxyHeader(msg);
      if (!parsed.done) return;
      who = `${parsed.header.source?.address}:${parsed.header.source?.port}`;
      body = msg.subarray(parsed.length);
    }
    socket.send(`${name} ${who} ${body.toString()}`, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  return { id: name, host: '127.0.0.1', port: socket.address().port };
}

async function udpClient(address: string): Promise<DgramSocket> {
  const socket = createSocket('udp4');
  socket.bind(0, address);
  await once(socket, 'listening');
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  return socket;
}

/** Sends one datagram and resolves with the reply text. */
async function ask(client: DgramSocket, port: number, text: string): Promise<string> {
  const reply = once(client, 'message');
  client.send(text, port, '127.0.0.1');
  const [msg] = (await reply) as [Buffer];
  return msg.toString();
}

function roundRobin(targets: L4Target[]): UdpForwarderOptions<L4Target>['pickBackend'] {
  let next = 0;
  return () => targets[next++ % targets.length]!;
}

async function forwarder(options: Omit<UdpForwarderOptions<L4Target>, 'listen'>): Promise<UdpForwarder> {
  const f = await createUdpForwarder({ listen: { host: '127.0.0.1', port: 0 }, ...options });
  cleanups.push(() => f.close());
  return f;
}

describe('UDP forwarder', () => {
  it('keeps each client on one backend and sends the replies back to that client', async () => {
    const [a, b] = [await udpBackend('a'), await udpBackend('b')];
    const f = await forwarder({ pickBackend: roundRobin([a, b]) });
    const c2 = await udpClient('127.0.0.2');
    const c3 = await udpClient('127.0.0.3');
    const first = await ask(c2, f.port, 'one');
    expect(first).toMatch(/^a 127\.0\.0\.1:\d+ one$/);
    expect(await ask(c3, f.port, 'two')).toMatch(/^b 127\.0\.0\.1:\d+ two$/);
    // Same flow, same backend, same upstream socket (the backend sees one source port per client).
    const again = await ask(c2, f.port, 'three');
    expect(again.split(' ').slice(0, 2)).toEqual(first.split(' ').slice(0, 2));
    expect(f.flows).toBe(2);
  });

  it('forgets a flow after idleTimeoutMs without traffic, on the injected clock', async () => {
    const clock = createManualClock();
    const [a, b] = [await udpBackend('a'), await udpBackend('b')];
    const closes: FlowCloseReason[] = [];
    const f = await forwarder({ pickBackend: roundRobin([a, b]), clock, idleTimeoutMs: 10_000, onFlowClose: (_b, _c, info) => closes.push(info.reason) });
    const c2 = await udpClient('127.0.0.2');
    expect(await ask(c2, f.port, 'x')).toMatch(/^a /);
    clock.advance(6_000);
    expect(await ask(c2, f.port, 'y')).toMatch(/^a /); // traffic at t=6s keeps it alive past t=10s
    clock.advance(6_000);
    expect(f.flows).toBe(1);
    clock.advance(4_000);
    expect(f.flows).toBe(0);
    expect(closes).toEqual(['idle']);
    // A new flow is a new pick.
    expect(await ask(c2, f.port, 'z')).toMatch(/^b /);
  });

  it('bounds the number of flows by evicting the least recently active', async () => {
    const clock = createManualClock();
    const a = await udpBackend('a');
    const closed: string[] = [];
    const f = await forwarder({ pickBackend: () => a, clock, maxFlows: 2, onFlowClose: (_b, c, info) => closed.push(`${c.address} ${info.reason}`) });
    const clients = [await udpClient('127.0.0.2'), await udpClient('127.0.0.3'), await udpClient('127.0.0.4')];
    for (const [i, c] of clients.entries()) {
      await ask(c, f.port, `hello ${i}`);
      clock.advance(1_000);
    }
    expect(f.flows).toBe(2);
    expect(closed).toEqual(['127.0.0.2 evicted']);
    expect(f.stats().evicted).toBe(1);
  });

  it('tells the backend the real client in a PROXY v2 datagram header', async () => {
    const a = await udpBackend('a', { proxyProtocol: true });
    const f = await forwarder({ pickBackend: () => a, proxyProtocol: 'v2' });
    const c3 = await udpClient('127.0.0.3');
    const port = c3.address().port;
    expect(await ask(c3, f.port, 'hi')).toBe(`a 127.0.0.3:${port} hi`);
  });

  it('drops datagrams when no backend is available, and survives a backend that is not there', async () => {
    const a = await udpBackend('a');
    const dead = createSocket('udp4');
    dead.bind(0, '127.0.0.1');
    await once(dead, 'listening');
    const deadTarget: L4Target = { id: 'dead', host: '127.0.0.1', port: dead.address().port };
    await new Promise<void>((r) => dead.close(() => r()));
    let choice: L4Target | null = null;
    const reasons: FlowCloseReason[] = [];
    const f = await forwarder({ pickBackend: () => choice, onFlowClose: (_b, _c, info) => reasons.push(info.reason) });
    const c2 = await udpClient('127.0.0.2');
    c2.send('nobody', f.port, '127.0.0.1');
    await until(() => f.stats().dropped === 1, 'the datagram to be dropped');
    choice = deadTarget;
    c2.send('into the void', f.port, '127.0.0.1');
    await until(() => reasons.includes('error'), 'the flow to close on the error'); // ICMP port unreachable closes the flow
    choice = a;
    expect(await ask(c2, f.port, 'back')).toMatch(/^a /);
  });

  it('answers IPv4 clients of a dual-stack (::) listener', async () => {
    const a = await udpBackend('a');
    const f = await createUdpForwarder({ listen: { host: '::', port: 0 }, pickBackend: () => a });
    cleanups.push(() => f.close());
    const c2 = await udpClient('127.0.0.2');
    expect(await ask(c2, f.port, 'v4 over v6')).toMatch(/^a 127\.0\.0\.1:\d+ v4 over v6$/);
  });

  it('refuses nonsense options with a coded error', async () => {
    await expect(createUdpForwarder({ listen: { port: 0 }, pickBackend: () => null, maxFlows: 0 })).rejects.toMatchObject({ code: 'GH_BALANCER_L4_OPTIONS_INVALID' });
  });
});
