import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../core/index.js';
import { consistentHash } from './algorithms/consistent-hash.js';
import { createPool, FAILED, SUCCEEDED, UNCOUNTED, UNREACHABLE } from './pool.js';
import { ALGORITHM_NAMES, type BackendSpec } from './types.js';

const specs = (n: number): BackendSpec[] => Array.from({ length: n }, (_, i) => ({ id: String.fromCharCode(97 + i), host: '127.0.0.1', port: 1000 + i }));

describe('pick({ exclude })', () => {
  it('never returns a backend a retry already tried, for every algorithm (property)', () => {
    for (const algorithm of ALGORITHM_NAMES) {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 6 }), fc.string({ maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (n, key, excluded) => {
          const pool = createPool({ backends: specs(n), algorithm, retryBudget: { percent: 100, minPerSecond: 1000 } });
          const tried = new Set<string>();
          const ctx = { clientIp: `10.0.0.${key.length}`, key, exclude: tried };
          for (let i = 0; i < Math.min(excluded, n - 1); i++) {
            const chosen = pool.pick(ctx);
            expect(chosen, algorithm).not.toBeNull();
            expect(tried.has(chosen!.id), algorithm).toBe(false);
            tried.add(chosen!.id);
          }
          const last = pool.pick(ctx);
          expect(last !== null && !tried.has(last.id), algorithm).toBe(true);
          // Every backend tried: nothing is left, rather than a second try on one of them.
          for (const b of pool.list()) tried.add(b.id);
          expect(pool.pick(ctx)).toBeNull();
        }),
        { numRuns: 40, seed: 17 },
      );
    }
  });

  it('spends a retry budget: retries stop once first attempts no longer pay for them', () => {
    const clock = createManualClock();
    const pool = createPool({ backends: specs(3), clock, retryBudget: { percent: 50, minPerSecond: 1 } });
    const retry = { clientIp: '', exclude: new Set(['a']) };
    expect(pool.pick(retry)).not.toBeNull(); // the per-second floor
    expect(pool.pick(retry)).toBeNull(); // nothing earned yet
    pool.pick({ clientIp: '' });
    pool.pick({ clientIp: '' }); // two first attempts at 50% earn one retry
    expect(pool.pick(retry)).not.toBeNull();
    expect(pool.pick(retry)).toBeNull();
    clock.advance(1000);
    expect(pool.pick(retry)).not.toBeNull(); // a new second, a new floor
  });
});

describe('passive ejection', () => {
  it('ejects on a failure rate over a window, without consecutive failures', () => {
    const clock = createManualClock();
    const pool = createPool({ backends: specs(4), clock, maxFailures: 0, failurePercent: 50, minRequests: 10, windowMs: 10_000, ejectMs: 5_000 });
    const a = pool.get('a')!;
    for (let i = 0; i < 9; i++) {
      pool.acquire(a);
      pool.release(a, i % 2 === 0 ? FAILED : SUCCEEDED); // 5 of 9: below minRequests
    }
    expect(a.state).toBe('up');
    pool.acquire(a);
    pool.release(a, SUCCEEDED); // 5 of 10 = 50%, but the last outcome is a success
    expect(a.state).toBe('up');
    pool.acquire(a);
    pool.release(a, FAILED); // 6 of 11
    expect(a.state).toBe('down');
  });

  it('forgets a window once it has passed', () => {
    const clock = createManualClock();
    const pool = createPool({ backends: specs(4), clock, maxFailures: 0, failurePercent: 50, minRequests: 4, windowMs: 1_000 });
    const a = pool.get('a')!;
    for (let i = 0; i < 3; i++) {
      pool.acquire(a);
      pool.release(a, FAILED);
    }
    clock.advance(1_000);
    for (let i = 0; i < 3; i++) {
      pool.acquire(a);
      pool.release(a, SUCCEEDED);
    }
    pool.acquire(a);
    pool.release(a, FAILED); // 1 of 4 in the new window
    expect(a.state).toBe('up');
  });

  it('never ejects more than maxEjectionPercent of the pool, however many backends fail', () => {
    const pool = createPool({ backends: specs(4), maxFailures: 1, maxEjectionPercent: 50 });
    for (const b of pool.list()) {
      pool.acquire(b);
      pool.release(b, UNREACHABLE);
    }
    expect(pool.list().filter((b) => b.state === 'down')).toHaveLength(2);
    expect(pool.pick({ clientIp: '' })).not.toBeNull();
  });

  it('takes a request-dependent failure (reset, malformed answer) into the rate only, not the consecutive rule', () => {
    const pool = createPool({ backends: specs(3), maxFailures: 2, failurePercent: 0 });
    const a = pool.get('a')!;
    for (let i = 0; i < 5; i++) {
      pool.acquire(a);
      pool.release(a, FAILED);
    }
    expect(a).toMatchObject({ state: 'up', failures: 5, consecutiveFailures: 0 });
  });

  it('counts an uncounted outcome neither way', () => {
    const pool = createPool({ backends: specs(2), maxFailures: 1 });
    const a = pool.get('a')!;
    pool.acquire(a);
    pool.release(a, UNCOUNTED);
    expect(a).toMatchObject({ state: 'up', failures: 0, activeConnections: 0, windowRequests: 0 });
  });
});

describe('consistent hashing during slow start', () => {
  it('builds its ring once, not on every pick while a backend warms up', () => {
    const clock = createManualClock();
    const algorithm = consistentHash();
    const pool = createPool({ backends: specs(4), clock, slowStartMs: 10_000, maxFailures: 1 });
    const list = pool.list();
    pool.markDown('a');
    pool.markUp('a'); // back in slow start: its weight ramps on every pick
    expect(pool.get('a')!.state).toBe('slow-start');
    const share: Record<string, number> = {};
    for (let i = 0; i < 2_000; i++) {
      clock.advance(1);
      const eligible = list.filter((b) => b.state === 'up' || b.state === 'slow-start');
      pool.pick({ clientIp: '' }); // ramps effectiveWeight
      const chosen = algorithm.pick(eligible, { clientIp: '', key: `k${i}` }, list);
      share[chosen.id] = (share[chosen.id] ?? 0) + 1;
    }
    expect(algorithm.ringBuilds).toBe(1);
    // Ramping from 10% to 30% of its weight over these picks, the warming backend takes well under a fair quarter.
    expect(share.a).toBeGreaterThan(0);
    expect(share.a!).toBeLessThan(2_000 / 4 / 2);
    pool.add({ id: 'e', host: '127.0.0.1', port: 2000 });
    algorithm.pick(pool.list(), { clientIp: '', key: 'x' }, pool.list());
    expect(algorithm.ringBuilds).toBe(2);
  });

  it('gives a warming backend exactly the keys a ring built for its ramped weight would', () => {
    const clock = createManualClock();
    const pool = createPool({ backends: specs(3), clock, slowStartMs: 10_000 });
    const list = pool.list();
    pool.markDown('b');
    pool.markUp('b');
    clock.advance(5_000);
    pool.pick({ clientIp: '' });
    const b = pool.get('b')!;
    expect(b.effectiveWeight).toBeCloseTo(0.55);
    // Reference: a fresh ring over backends with the ramped weight as their full weight.
    const reference = consistentHash();
    const frozen = list.map((x) => ({ ...x, weight: x.effectiveWeight }));
    const live = consistentHash();
    for (let i = 0; i < 500; i++) {
      const key = `user-${i}`;
      expect(live.pick(list, { clientIp: '', key }, list).id).toBe(reference.pick(frozen, { clientIp: '', key }, frozen).id);
    }
  });
});
