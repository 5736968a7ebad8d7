import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer } from './balancer.js';
import { request, startTestBackend } from '../../test/support/balancer/backends.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('gatehouse balance --mode tcp|udp', () => {
  it('tcp: one backend per connection through the pool, admin figures, ejection of a dead backend', async () => {
    const backends = await Promise.all(['b1', 'b2'].map((id) => startTestBackend(id)));
    cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
    const dead = await startTestBackend('dead');
    await dead.kill();
    const lb = await startBalancer({
      mode: 'tcp',
      listen: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      passive: { maxFailures: 1, eject: '1m' },
      backends: [...backends.map((b) => `127.0.0.1:${b.port},id=${b.id}`), `127.0.0.1:${dead.port},id=dead`],
    });
    cleanups.push(() => lb.close());
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(lb.port, '/');
      expect(res.status).toBe(200);
      seen.push(res.headers['x-backend'] as string);
    }
    expect(new Set(seen)).toEqual(new Set(['b1', 'b2']));
    expect(lb.pool.get('dead')!.state).toBe('down');
    const admin = JSON.parse((await request(lb.adminPort!, '/backends')).body) as { backends: { id: string; requests: number }[] };
    expect(admin.backends.find((b) => b.id === 'b1')!.requests).toBeGreaterThan(0);
  });

  it('udp: datagrams reach a backend and its replies come back', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (msg, rinfo) => echo.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => echo.close(() => r())));
    const lb = await startBalancer({ mode: 'udp', listen: '127.0.0.1:0', admin: false, backends: [`127.0.0.1:${(echo.address()).port}`] });
    cleanups.push(() => lb.close());
    const client = dgram.createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => client.close(() => r())));
    const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
    client.send('ping', lb.port, '127.0.0.1');
    expect(await reply).toBe('echo:ping');
    expect(lb.pool.list()[0]!.activeConnections).toBe(1);
  });
});
