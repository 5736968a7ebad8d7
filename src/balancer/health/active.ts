import http from 'node:http';
import net from 'node:net';
import { systemClock, type Clock } from '../../core/index.js';
import type { Pool } from '../pool.js';
import type { Backend } from '../types.js';

export interface HealthCheckOptions {
  pool: Pool;
  clock?: Clock;
  /** HTTP path to GET (2xx/3xx = healthy); absent = a TCP connect is the check. */
  path?: string;
  intervalMs?: number;
  timeoutMs?: number;
  /** Consecutive successes that bring a down backend back (HAProxy's `rise`). */
  rise?: number;
  /** Consecutive failures that take an up backend out (HAProxy's `fall`). */
  fall?: number;
}

export interface HealthChecker {
  /** One round over every backend; resolves when all checks finished. */
  checkNow(): Promise<void>;
  stop(): void;
}

/**
 * Active health checks: every interval each backend (draining ones excepted) is probed; `fall`
 * failures in a row mark it down, `rise` successes in a row bring it back (in slow start when the pool
 * has one). Rounds are scheduled on the injected clock.
 */
export function startHealthChecks(options: HealthCheckOptions): HealthChecker {
  const { pool } = options;
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const rise = options.rise ?? 2;
  const fall = options.fall ?? 3;
  const streaks = new Map<string, { ok: number; bad: number }>();
  let cancel: (() => void) | undefined;
  let stopped = false;

  const record = (backend: Backend, ok: boolean): void => {
    if (!pool.get(backend.id)) return;
    const streak = streaks.get(backend.id) ?? { ok: 0, bad: 0 };
    streaks.set(backend.id, streak);
    if (ok) {
      streak.ok++;
      streak.bad = 0;
      if (backend.state === 'down' && streak.ok >= rise) pool.markUp(backend.id);
    } else {
      streak.bad++;
      streak.ok = 0;
      if ((backend.state === 'up' || backend.state === 'slow-start') && streak.bad >= fall) pool.markDown(backend.id);
    }
  };

  const probe = (backend: Backend): Promise<boolean> =>
    options.path === undefined ? probeTcp(backend, timeoutMs) : probeHttp(backend, options.path, timeoutMs);

  const checkNow = async (): Promise<void> => {
    const targets = pool.list().filter((b) => b.state !== 'draining');
    const results = await Promise.all(targets.map((b) => probe(b)));
    targets.forEach((b, i) => record(b, results[i] as boolean));
    for (const id of streaks.keys()) if (!pool.get(id)) streaks.delete(id);
  };

  const schedule = (): void => {
    if (stopped) return;
    cancel = clock.setTimer(intervalMs, () => {
      void checkNow().finally(schedule);
    });
  };
  schedule();

  return {
    checkNow,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}

function probeTcp(backend: Backend, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: backend.host, port: backend.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function probeHttp(backend: Backend, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      resolve(ok);
    };
    // A fresh connection each time (agent: false): a pooled one could hide a listener that is gone.
    const req = http.request({ host: backend.host, port: backend.port, path, method: 'GET', agent: false, timeout: timeoutMs, headers: { 'user-agent': 'gatehouse-health' } }, (res) => {
      res.resume();
      done((res.statusCode ?? 500) < 400);
      req.destroy();
    });
    req.on('timeout', () => {
      req.destroy();
      done(false);
    });
    req.on('error', () => done(false));
    req.end();
  });
}
