import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/index.js';
import { createPool, UNREACHABLE } from '../pool.js';
import type { AlgorithmName, Backend, BackendSpec } from '../types.js';
import { ALGORITHMS } from './index.js';

const specs = (...weights: number[]): BackendSpec[] =>
  weights.map((weight, i) => ({ id: String.fromCharCode(97 + i), host: '127.0.0.1', port: 1000 + i, weight }));

const picks = (name: AlgorithmName, backends: BackendSpec[], n: number, ip = (i: number) => `10.0.0.${i % 250}`) => {
  const pool = createPool({ backends, algorithm: name });
  return Array.from({ length: n }, (_, i) => pool.pick({ clientIp: ip(i) })!.id);
};

const count = (ids: string[]) => ids.reduce<Record<string, number>>((acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }), {});

describe('round-robin', () => {
  it('visits each backend in turn, ignoring weights', () => {
    expect(picks('round-robin', specs(5, 1, 1), 7).join(' ')).toBe('a b c a b c a');
  });
});

describe('weighted-round-robin', () => {
  it('is smooth like nginx: weights 5,1,1 give a a b a c a a', () => {
    expect(picks('weighted-round-robin', specs(5, 1, 1), 7).join(' ')).toBe('a a b a c a a');
  });

  it('gives every backend exactly its weight share in each cycle (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (weights, cycles) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const got = count(picks('weighted-round-robin', specs(...weights), total * cycles));
        weights.forEach((w, i) => expect(got[String.fromCharCode(97 + i)]).toBe(w * cycles));
      }),
    );
  });

  it('skips weight-0 backends', () => {
    expect(new Set(picks('weighted-round-robin', specs(1, 0, 1), 10))).toEqual(new Set(['a', 'c']));
  });
});

describe('least-connections', () => {
  it('picks the fewest in flight relative to weight', () => {
    const pool = createPool({ backends: specs(1, 2, 1), algorithm: 'least-connections' });
    const [a, b, c] = pool.list() as [Backend, Backend, Backend];
    a.activeConnections = 2;
    b.activeConnections = 3; // 1.5 per unit of weight
    c.activeConnections = 1;
    expect(pool.pick({ clientIp: 'x' })!.id).toBe('c');
    c.activeConnections = 4;
    expect(pool.pick({ clientIp: 'x' })!.id).toBe('b');
  });

  it('fills idle backends evenly as requests stay open', () => {
    const pool = createPool({ backends: specs(1, 1, 1), algorithm: 'least-connections' });
    for (let i = 0; i < 9; i++) pool.acquire(pool.pick({ clientIp: 'x' })!);
    expect(pool.list().map((b) => b.activeConnections)).toEqual([3, 3, 3]);
  });
});

describe('ip-hash', () => {
  it('sends one client IP to one backend and spreads many IPs over all', () => {
    const pool = createPool({ backends: specs(1, 1, 1), algorithm: 'ip-hash' });
    for (let i = 0; i < 50; i++) {
      const ip = `127.0.0.${i + 2}`;
      const first = pool.pick({ clientIp: ip })!.id;
      for (let k = 0; k < 5; k++) expect(pool.pick({ clientIp: ip })!.id).toBe(first);
    }
    const spread = count(Array.from({ length: 300 }, (_, i) => pool.pick({ clientIp: `10.1.${i >> 8}.${i & 255}` })!.id));
    for (const id of ['a', 'b', 'c']) expect(spread[id]).toBeGreaterThan(60);
  });

  it('keeps clients of healthy backends in place when another goes down', () => {
    const pool = createPool({ backends: specs(1, 1, 1), algorithm: 'ip-hash' });
    const ips = Array.from({ length: 200 }, (_, i) => `10.2.0.${i}`);
    const before = ips.map((ip) => pool.pick({ clientIp: ip })!.id);
    pool.markDown('b');
    const after = ips.map((ip) => pool.pick({ clientIp: ip })!.id);
    ips.forEach((_, i) => {
      if (before[i] !== 'b') expect(after[i]).toBe(before[i]);
      else expect(after[i]).not.toBe('b');
    });
  });
});

describe('consistent-hash', () => {
  it('maps a key to the same backend every time', () => {
    const pool = createPool({ backends: specs(1, 1, 1, 1), algorithm: 'consistent-hash' });
    const first = pool.pick({ clientIp: 'x', key: 'user-42' })!.id;
    for (let i = 0; i < 20; i++) expect(pool.pick({ clientIp: 'y', key: 'user-42' })!.id).toBe(first);
  });

  it('moves only keys that now belong to a joining backend, about 1/N of them (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        const pool = createPool({ backends: specs(...Array<number>(n).fill(1)), algorithm: 'consistent-hash' });
        const keys = Array.from({ length: 2000 }, (_, i) => `k${seed}-${i}`);
        const before = keys.map((key) => pool.pick({ clientIp: '', key })!.id);
        pool.add({ id: 'new', host: '127.0.0.1', port: 2000 });
        const after = keys.map((key) => pool.pick({ clientIp: '', key })!.id);
        let moved = 0;
        keys.forEach((_, i) => {
          if (after[i] !== before[i]) {
            moved++;
            expect(after[i]).toBe('new');
          }
        });
        const expected = keys.length / (n + 1);
        expect(moved).toBeGreaterThan(expected * 0.5);
        expect(moved).toBeLessThan(expected * 1.6);
      }),
      { numRuns: 20 },
    );
  });

  it('bounds load: a hot key spills to the next backend once its owner is over the cap', () => {
    const pool = createPool({ backends: specs(1, 1, 1, 1), algorithm: 'consistent-hash', algorithmOptions: { loadFactor: 1.25 } });
    for (let i = 0; i < 40; i++) pool.acquire(pool.pick({ clientIp: '', key: 'hot' })!);
    const loads = pool.list().map((b) => b.activeConnections);
    // cap = ceil(1.25 × (in flight + 1) / 4): no backend runs far above the mean of 10
    expect(Math.max(...loads)).toBeLessThanOrEqual(13);
  });
});

describe('random-two', () => {
  it('takes the less loaded of two random choices', () => {
    const seq = [0.0, 0.0]; // first index 0, second the next one (1)
    let k = 0;
    const alg = ALGORITHMS['random-two']({ random: () => seq[k++ % seq.length] as number });
    const pool = createPool({ backends: specs(1, 1, 1) });
    const [a, b] = pool.list() as [Backend, Backend];
    a.activeConnections = 5;
    b.activeConnections = 1;
    expect(alg.pick(pool.list(), { clientIp: '' }, pool.list()).id).toBe('b');
  });

  it('never picks the most loaded of three under any random draws (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 2, maxLength: 2 }), (draws) => {
        let k = 0;
        const alg = ALGORITHMS['random-two']({ random: () => draws[k++ % 2] as number });
        const pool = createPool({ backends: specs(1, 1, 1) });
        const list = pool.list() as Backend[];
        list.forEach((b, i) => (b.activeConnections = i * 3));
        expect(alg.pick(list, { clientIp: '' }, list).id).not.toBe('c');
      }),
    );
  });
});

describe('least-latency', () => {
  it('prefers the lowest latency EWMA, and unmeasured backends first', () => {
    const pool = createPool({ backends: specs(1, 1, 1), algorithm: 'least-latency' });
    const [a, b, c] = pool.list() as [Backend, Backend, Backend];
    a.latencyMs = 50;
    b.latencyMs = 5;
    c.latencyMs = 0;
    expect(pool.pick({ clientIp: '' })!.id).toBe('c');
    c.latencyMs = 20;
    expect(pool.pick({ clientIp: '' })!.id).toBe('b');
  });

  it('learns latency through release()', () => {
    const pool = createPool({ backends: specs(1, 1), algorithm: 'least-latency', ewmaAlpha: 0.5 });
    const [a, b] = pool.list() as [Backend, Backend];
    pool.acquire(a);
    pool.release(a, { ok: true, latencyMs: 100 });
    pool.acquire(a);
    pool.release(a, { ok: true, latencyMs: 50 });
    pool.acquire(b);
    pool.release(b, { ok: true, latencyMs: 10 });
    expect(a.latencyMs).toBe(75);
    expect(pool.pick({ clientIp: '' })!.id).toBe('b');
  });
});

describe('pool', () => {
  it('ejects after consecutive failures to reach it, brings the backend back in slow start after the cool-down', () => {
    const clock = createManualClock();
    const pool = createPool({ backends: specs(1, 1), algorithm: 'weighted-round-robin', clock, maxFailures: 2, ejectMs: 1000, slowStartMs: 10_000 });
    const a = pool.get('a')!;
    for (let i = 0; i < 2; i++) {
      pool.acquire(a);
      pool.release(a, UNREACHABLE);
    }
    expect(a.state).toBe('down');
    expect(new Set(Array.from({ length: 5 }, () => pool.pick({ clientIp: '' })!.id))).toEqual(new Set(['b']));
    clock.advance(1000);
    expect(a.state).toBe('slow-start');
    expect(a.effectiveWeight).toBeCloseTo(0.1);
    const early = count(Array.from({ length: 110 }, () => pool.pick({ clientIp: '' })!.id));
    expect(early.a).toBeLessThan(20);
    clock.advance(10_000);
    pool.pick({ clientIp: '' });
    expect(a.state).toBe('up');
    expect(a.effectiveWeight).toBe(1);
  });

  it('drains: no new picks, and says when the last request ends', () => {
    const pool = createPool({ backends: specs(1, 1) });
    const a = pool.get('a')!;
    pool.acquire(a);
    const drained: string[] = [];
    pool.on('drained', (b: Backend) => drained.push(b.id));
    pool.drain('a');
    expect(Array.from({ length: 4 }, () => pool.pick({ clientIp: '' })!.id)).toEqual(['b', 'b', 'b', 'b']);
    expect(drained).toEqual([]);
    pool.release(a, { ok: true });
    expect(drained).toEqual(['a']);
  });

  it('returns null when nothing is eligible and rejects bad input with coded errors', () => {
    const pool = createPool({ backends: specs(1) });
    pool.markDown('a');
    expect(pool.pick({ clientIp: '' })).toBeNull();
    expect(() => pool.add({ host: '', port: 1 })).toThrow(expect.objectContaining({ code: 'GH_BALANCER_CONFIG_INVALID' }));
    expect(() => pool.add({ host: 'h', port: 70000 })).toThrow(expect.objectContaining({ code: 'GH_BALANCER_CONFIG_INVALID' }));
    expect(() => pool.setWeight('a', -1)).toThrow(expect.objectContaining({ code: 'GH_BALANCER_CONFIG_INVALID' }));
    expect(() => pool.remove('zz')).toThrow(expect.objectContaining({ code: 'GH_BALANCER_BACKEND_NOT_FOUND' }));
    expect(() => pool.setAlgorithm('nope')).toThrow(expect.objectContaining({ code: 'GH_BALANCER_CONFIG_INVALID' }));
    pool.setAlgorithm('least-latency');
    expect(pool.algorithm).toBe('least-latency');
  });
});
