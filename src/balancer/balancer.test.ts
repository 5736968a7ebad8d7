import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer } from './balancer.js';
import { parseBalancerConfig } from './config.js';
import { request, startTestBackend, type TestBackend } from '../../test/support/balancer/backends.js';
import { until } from '../../test/support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('startBalancer reload', () => {
  it('applies a new config under load without a failed request', async () => {
    const backends: TestBackend[] = await Promise.all(['b1', 'b2', 'b3'].map((id) => startTestBackend(id)));
    cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
    const spec = (b: TestBackend, weight = 1) => `127.0.0.1:${b.port},id=${b.id},weight=${weight}`;
    const base = { listen: '127.0.0.1:0', admin: false, slowStart: 0 };
    const lb = await startBalancer({ ...base, backends: [spec(backends[0]!), spec(backends[1]!)] });
    cleanups.push(() => lb.close());

    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    const statuses: number[] = [];
    const seenAfter = new Set<string>();
    let reloaded = false;
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 50; i++) {
        const res = await request(lb.port, '/slow?ms=3', { agent });
        statuses.push(res.status);
        if (reloaded) seenAfter.add(res.headers['x-backend'] as string);
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, worker));
    await until(() => statuses.length >= 60, 'sixty answers before the reload', { intervalMs: 5 });
    const notes = lb.reload(parseBalancerConfig({ ...base, listen: '127.0.0.1:1', algorithm: 'weighted-round-robin', backends: [spec(backends[1]!, 2), spec(backends[2]!)] }));
    reloaded = true;
    await load;
    agent.destroy();
    expect(statuses).toHaveLength(300);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(lb.pool.list().map((b) => `${b.id}*${b.weight}`)).toEqual(['b2*2', 'b3*1']);
    expect(lb.pool.algorithm).toBe('weighted-round-robin');
    expect(seenAfter.has('b3')).toBe(true);
    expect(notes.join(' ')).toContain('listen');
  });
});
