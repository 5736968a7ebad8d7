import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatehouseError } from '../core/index.js';
import { startBalancer } from './balancer.js';
import { parseBalancerConfig } from './config.js';
import { request, startTestBackend } from '../../test/support/balancer/backends.js';

// The lifecycle (pool, admin API, reload, close) is one piece of code for every mode; these run it
// for an L7 and an L4 balancer alike, over real sockets.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const TOKEN = 'a-lifecycle-test-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };

/** Who answers `count` fresh connections through the balancer. */
async function answerers(port: number, count: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const res = await request(port, '/');
    expect(res.status).toBe(200);
    seen.add(res.headers['x-backend'] as string);
  }
  return seen;
}

/** Resolves with the error code of a fresh connection to `port` (undefined when it connects). */
function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

describe.each(['http', 'tcp'] as const)('balancer lifecycle, --mode %s', (mode) => {
  it('admin API changes, reload and close act on the running balancer', async () => {
    const backends = await Promise.all(['b1', 'b2', 'b3'].map((id) => startTestBackend(id)));
    cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
    const spec = (id: string): string => `127.0.0.1:${backends.find((b) => b.id === id)!.port},id=${id}`;
    const input = { mode, listen: '127.0.0.1:0', admin: '127.0.0.1:0', adminToken: TOKEN, slowStart: '0s', backends: [spec('b1'), spec('b2')] };
    const lb = await startBalancer(input);
    let closed = false;
    cleanups.push(() => (closed ? undefined : lb.close()));
    expect(lb.http === undefined).toBe(mode !== 'http');
    expect(await answerers(lb.port, 4)).toEqual(new Set(['b1', 'b2']));

    // Admin API: a drained backend gets no new work; un-drained, it does again.
    const drained = await request(lb.adminPort!, '/backends/b1/drain', { method: 'POST', headers: auth });
    expect(drained.status).toBe(202);
    expect(lb.pool.get('b1')!.state).toBe('draining');
    expect(await answerers(lb.port, 4)).toEqual(new Set(['b2']));
    const undrained = await request(lb.adminPort!, '/backends/b1/undrain', { method: 'POST', headers: auth });
    expect(undrained.status).toBe(200);
    expect(await answerers(lb.port, 4)).toEqual(new Set(['b1', 'b2']));
    // Without the token nothing changes.
    expect((await request(lb.adminPort!, '/backends/b2/drain', { method: 'POST' })).status).toBe(401);
    expect(lb.pool.get('b2')!.state).toBe('up');

    // Reload: backends follow the new file; what needs a restart is kept and said.
    const notes = lb.reload(parseBalancerConfig({ ...input, backends: [spec('b2'), spec('b3')], algorithm: 'least-connections' }));
    expect(notes).toEqual([]);
    expect(lb.pool.list().map((b) => b.id)).toEqual(['b2', 'b3']);
    expect(lb.pool.algorithm).toBe('least-connections');
    const seen = await answerers(lb.port, 6);
    expect(seen.has('b1')).toBe(false);
    expect(seen.has('b3')).toBe(true);
    const admin = JSON.parse((await request(lb.adminPort!, '/backends', { headers: auth })).body) as { backends: { id: string }[] };
    expect(admin.backends.map((b) => b.id)).toEqual(['b2', 'b3']);
    const moved = lb.reload(parseBalancerConfig({ ...input, listen: '127.0.0.1:1', backends: [spec('b2')] }));
    expect(moved).toEqual(['balancer: listen address changes need a restart; kept the old one.']);
    expect(lb.config.listen.port).toBe(0);
    expect(await answerers(lb.port, 2)).toEqual(new Set(['b2']));

    // Close: neither the balancer's port nor the admin API takes connections any more.
    closed = true;
    await lb.close();
    expect(await connectError(lb.port)).toBe('ECONNREFUSED');
    expect(await connectError(lb.adminPort!)).toBe('ECONNREFUSED');
  });

  it('a port that cannot be listened on is a coded error, and nothing is left listening', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const backend = await startTestBackend('b1');
    cleanups.push(() => backend.kill());
    const error = await startBalancer({ mode, listen: `127.0.0.1:${port}`, admin: false, backends: [`127.0.0.1:${backend.port}`] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isGatehouseError(error) && error.code).toBe('GH_BALANCER_CONFIG_INVALID');

    // The admin port taken: the frontend that did open is closed again.
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const freePort = (free.address() as AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const adminTaken = await startBalancer({ mode, listen: `127.0.0.1:${freePort}`, admin: `127.0.0.1:${port}`, backends: [`127.0.0.1:${backend.port}`] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isGatehouseError(adminTaken) && adminTaken.code).toBe('GH_BALANCER_CONFIG_INVALID');
    expect(await connectError(freePort)).toBe('ECONNREFUSED');
  });
});
