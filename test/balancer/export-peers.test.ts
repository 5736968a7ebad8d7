// Runs real HAProxy and nginx on exported configs and sends HTTP, TCP and UDP traffic through them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { greet, startTcpBackend } from '../support/l4-sockets.js';
import { createTempDir } from '../support/services.js';
import { parseBalancerConfig } from '../../src/balancer/config.js';
import { createTcpProxy } from '../../src/balancer/l4/index.js';
import { encodeProxyV1 } from '../../src/balancer/proxy-protocol/index.js';
import { request, startTestBackend, type TestBackend } from '../support/balancer/backends.js';
import { exportConfig, type ExportFormat } from '../../src/balancer/export/index.js';
import { freePort } from '../support/app.js';
import { until } from '../support/wait.js';

const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});


/** Writes the exported config and runs the peer in the foreground until the test ends. */
async function runPeer(format: ExportFormat, raw: Record<string, unknown>): Promise<{ port: number; text: string }> {
  const port = await freePort();
  const dir = await createTempDir(`gh-${format}-`);
  const config = parseBalancerConfig({ ...raw, listen: `127.0.0.1:${port}`, admin: false });
  const text = exportConfig(config, format, { runtimeDir: dir.path, nginxWorkers: 1, haproxyThreads: 1, nginxModules: config.mode === 'http' ? [] : [STREAM_MODULE] });
  const file = join(dir.path, `${format}.conf`);
  await writeFile(file, text);
  const args = format === 'haproxy' ? ['-f', file, '-db'] : ['-c', file, '-e', join(dir.path, 'error.log'), '-g', 'daemon off;'];
  const child: ChildProcess = spawn(format, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit');
  cleanups.push(async () => {
    await dir.remove();
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  if (config.mode !== 'udp') {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`${format} exited: ${output}`);
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.destroy();
      return true;
    }, `${format} to listen`).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  }
  return { port, text };
}

async function httpBackends(...ids: string[]): Promise<TestBackend[]> {
  const list = await Promise.all(ids.map((id) => startTestBackend(id)));
  cleanups.push(async () => void (await Promise.all(list.map((b) => b.kill()))));
  return list;
}

const who = async (port: number, path = '/', options: Parameters<typeof request>[2] = {}): Promise<string> => String((await request(port, path, options)).headers['x-backend']);
const count = (ids: string[]) => ids.reduce<Record<string, number>>((acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }), {});

describe.each(['haproxy', 'nginx'] as const)('exported %s config, run for real', (format) => {
  it('http round-robin alternates between backends', async () => {
    const [a, b] = await httpBackends('a', 'b');
    const { port } = await runPeer(format, { mode: 'http', algorithm: 'round-robin', backends: [`127.0.0.1:${a!.port}`, `127.0.0.1:${b!.port}`] });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(await who(port));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
    expect(count(seen)).toEqual({ a: 3, b: 3 });
  });

  it('http weighted-round-robin follows the weights (3:1)', async () => {
    const [a, b] = await httpBackends('a', 'b');
    const { port } = await runPeer(format, { mode: 'http', algorithm: 'weighted-round-robin', backends: [`127.0.0.1:${a!.port},weight=3`, `127.0.0.1:${b!.port}`] });
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push(await who(port));
    expect(count(seen)).toEqual({ a: 6, b: 2 });
  });

  it('http least-connections sends new requests away from a busy backend', async () => {
    const [a, b] = await httpBackends('a', 'b');
    const { port } = await runPeer(format, { mode: 'http', algorithm: 'least-connections', backends: [`127.0.0.1:${a!.port}`, `127.0.0.1:${b!.port}`] });
    // Long enough to outlast the quick requests on a loaded machine; cut short when the backends stop.
    void request(port, '/slow?ms=20000').catch(() => undefined);
    // Whichever backend holds the slow request, the quick ones all go to the other.
    const busy = await until(async () => (a!.hits.some((h) => h.startsWith('/slow')) ? 'a' : b!.hits.some((h) => h.startsWith('/slow')) ? 'b' : undefined), 'the slow request to arrive');
    const quick: string[] = [];
    for (let i = 0; i < 4; i++) quick.push(await who(port, '/quick'));
    expect(quick.every((id) => id !== busy)).toBe(true);
  });

  it('http consistent-hash on a header keeps each key on one backend and spreads the keys', async () => {
    const backends = await httpBackends('a', 'b', 'c');
    const { port } = await runPeer(format, { mode: 'http', algorithm: 'consistent-hash', hashKey: 'header:X-User', backends: backends.map((b) => `127.0.0.1:${b.port}`) });
    const owners = new Set<string>();
    for (let user = 0; user < 12; user++) {
      const answers = new Set<string>();
      for (let i = 0; i < 3; i++) answers.add(await who(port, '/', { headers: { 'x-user': `user-${user}` } }));
      expect(answers.size).toBe(1);
      owners.add([...answers][0]!);
    }
    expect(owners.size).toBeGreaterThan(1);
  });

  it('http ip-hash keeps each client address on one backend', async () => {
    const backends = await httpBackends('a', 'b', 'c');
    const { port } = await runPeer(format, { mode: 'http', algorithm: 'ip-hash', backends: backends.map((b) => `127.0.0.1:${b.port}`) });
    const owners = new Set<string>();
    for (let host = 2; host <= 13; host++) {
      const localAddress = `127.0.0.${host}`;
      const first = await who(port, '/', { localAddress });
      expect(await who(port, '/', { localAddress })).toBe(first);
      owners.add(first);
    }
    expect(owners.size).toBeGreaterThan(1);
  });

  it('tcp round-robin with a PROXY header that carries the real client address', async () => {
    const a = await startTcpBackend('a', { proxyProtocol: true });
    const b = await startTcpBackend('b', { proxyProtocol: true });
    cleanups.push(() => a.close(), () => b.close());
    // nginx sends v1 only; HAProxy is given v2.
    const { port } = await runPeer(format, { mode: 'tcp', algorithm: 'round-robin', proxyProtocol: format === 'nginx' ? 'v1' : 'v2', backends: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`] });
    const first = await greet(port, '127.0.0.2');
    const second = await greet(port, '127.0.0.3');
    expect([first.client, second.client]).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(first.backend).not.toBe(second.backend);
  });

  it('in front of a gatehouse L4 proxy in accept mode, its PROXY header reaches the backend', async () => {
    const a = await startTcpBackend('a', { proxyProtocol: true });
    cleanups.push(() => a.close());
    const inner = await createTcpProxy({ listen: { host: '127.0.0.1', port: 0 }, acceptProxyProtocol: true, proxyProtocol: 'v2', pickBackend: () => ({ id: 'a', host: '127.0.0.1', port: a.port }) });
    cleanups.push(() => inner.close());
    const { port } = await runPeer(format, { mode: 'tcp', proxyProtocol: 'v1', backends: [`127.0.0.1:${inner.port}`] });
    // client 127.0.0.3 → HAProxy/nginx (PROXY v1) → gatehouse (accepts it, sends v2) → backend
    expect(await greet(port, '127.0.0.3')).toEqual({ backend: 'a', client: '127.0.0.3' });
  });

  it('tcp accept-proxy takes the client address from a front balancer and passes it on', async () => {
    const a = await startTcpBackend('a', { proxyProtocol: true });
    cleanups.push(() => a.close());
    const { port } = await runPeer(format, { mode: 'tcp', acceptProxyProtocol: true, proxyProtocol: 'v1', backends: [`127.0.0.1:${a.port}`] });
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(encodeProxyV1({ source: { address: '192.0.2.77', port: 5555 }, destination: { address: '198.51.100.1', port: 443 } }));
    const [line] = (await once(socket, 'data')) as [Buffer];
    socket.destroy();
    expect(line.toString()).toBe('a 192.0.2.77\n');
  });
});

describe('exported configs, format-specific', () => {
  it('HAProxy active health checks take a sick backend out', async () => {
    const [a, b] = await httpBackends('a', 'b');
    b!.setSick(true);
    const { port, text } = await runPeer('haproxy', { mode: 'http', backends: [`127.0.0.1:${a!.port}`, `127.0.0.1:${b!.port}`], healthCheck: { path: '/health', interval: '100ms', timeout: '50ms', rise: 1, fall: 1 } });
    expect(text).toContain('http-check send meth GET uri /health');
    await until(async () => {
      const seen = [await who(port), await who(port), await who(port), await who(port)];
      return seen.every((id) => id === 'a') ? true : undefined;
    }, 'b to be marked down');
    expect(b!.hits.filter((h) => h === '/health').length).toBeGreaterThan(0);
  });

  it('nginx forwards UDP datagrams per client, round robin', async () => {
    const names = ['a', 'b'];
    const ports: number[] = [];
    for (const name of names) {
      const s = createSocket('udp4');
      s.on('message', (msg, rinfo) => s.send(`${name} ${msg.toString()}`, rinfo.port, rinfo.address));
      s.bind(0, '127.0.0.1');
      await once(s, 'listening');
      ports.push(s.address().port);
      cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
    }
    const { port } = await runPeer('nginx', { mode: 'udp', backends: ports.map((p) => `127.0.0.1:${p}`) });
    const ask = async (client: ReturnType<typeof createSocket>, text: string) =>
      until(async () => {
        const reply = once(client, 'message');
        client.send(text, port, '127.0.0.1');
        const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), 300));
        const got = await Promise.race([reply, timeout]);
        return got ? (got as [Buffer])[0].toString() : undefined;
      }, 'a UDP reply');
    const clients = [createSocket('udp4'), createSocket('udp4')];
    for (const c of clients) {
      c.bind(0, '127.0.0.1');
      await once(c, 'listening');
      cleanups.push(() => new Promise<void>((r) => c.close(() => r())));
    }
    const first = await ask(clients[0]!, 'hello');
    const second = await ask(clients[1]!, 'hello');
    expect(new Set([first, second])).toEqual(new Set(['a hello', 'b hello']));
  });
});
