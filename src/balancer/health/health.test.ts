import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/index.js';
import { createPool } from '../pool.js';
import { startTestBackend } from '../../../test/support/balancer/backends.js';
import { startHealthChecks } from './active.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('active health checks', () => {
  it('HTTP path: fall failures take a backend out, rise successes bring it back in slow start', async () => {
    const backend = await startTestBackend('b1');
    cleanups.push(() => backend.kill());
    const clock = createManualClock();
    const pool = createPool({ backends: [{ id: 'b1', host: '127.0.0.1', port: backend.port }], clock, slowStartMs: 5_000 });
    const checker = startHealthChecks({ pool, clock, path: '/health', intervalMs: 1_000, rise: 2, fall: 3 });
    cleanups.push(() => checker.stop());
    backend.setSick(true);
    await checker.checkNow();
    await checker.checkNow();
    expect(pool.get('b1')!.state).toBe('up');
    await checker.checkNow();
    expect(pool.get('b1')!.state).toBe('down');
    backend.setSick(false);
    await checker.checkNow();
    expect(pool.get('b1')!.state).toBe('down');
    await checker.checkNow();
    expect(pool.get('b1')!.state).toBe('slow-start');
    expect(backend.hits.filter((h) => h === '/health')).toHaveLength(5);
  });

  it('TCP connect: a dead port goes down; checks run on the clock interval', async () => {
    const backend = await startTestBackend('b1');
    await backend.kill();
    const clock = createManualClock();
    const pool = createPool({ backends: [{ id: 'b1', host: '127.0.0.1', port: backend.port }], clock });
    const checker = startHealthChecks({ pool, clock, intervalMs: 1_000, rise: 1, fall: 1 });
    cleanups.push(() => checker.stop());
    const changed = new Promise<string>((resolve) => pool.once('state', (b: { state: string }) => resolve(b.state)));
    clock.advance(1_000);
    expect(await changed).toBe('down');
    await backend.revive();
    cleanups.push(() => backend.kill());
    const back = new Promise<string>((resolve) => pool.once('state', (b: { state: string }) => resolve(b.state)));
    // The next round is scheduled once the previous one has finished; keep the clock moving until it runs.
    const tick = setInterval(() => clock.advance(1_000), 20);
    expect(await back).toBe('up');
    clearInterval(tick);
  });

  it('skips draining backends', async () => {
    const backend = await startTestBackend('b1');
    cleanups.push(() => backend.kill());
    const clock = createManualClock();
    const pool = createPool({ backends: [{ id: 'b1', host: '127.0.0.1', port: backend.port }], clock });
    const checker = startHealthChecks({ pool, clock, path: '/health', rise: 1, fall: 1 });
    cleanups.push(() => checker.stop());
    pool.drain('b1');
    await checker.checkNow();
    expect(backend.hits).toHaveLength(0);
    expect(pool.get('b1')!.state).toBe('draining');
  });
});
