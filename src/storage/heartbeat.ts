import { performance } from 'node:perf_hooks';

export interface Heartbeat {
  /** Whether a beat sent within `staleAfterMs` has been answered. */
  fresh(): boolean;
  /** The connection is known good as of `at` (default now): arming, connecting. */
  confirm(at?: number): void;
  /** The connection went away: nothing answered so far counts, nor any beat still in flight. */
  forget(): void;
  stop(): void;
}

/**
 * A liveness probe for a connection whose change messages arrive in order ahead of any later answer on
 * it (PostgreSQL NOTIFY, Redis invalidations): once a beat is answered, every change sent before it was
 * sent has been handled, so memory is as fresh as the moment the beat left. `beat` returns the probe
 * (null: nothing to probe now); one is in flight at most, so a frozen server does not collect them.
 */
export function startHeartbeat(options: { intervalMs: number; staleAfterMs: number; beat: () => Promise<unknown> | null }): Heartbeat {
  let confirmedAt = -Infinity;
  let round = 0;
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    const probe = options.beat();
    if (!probe) return;
    beating = true;
    const mine = round;
    const sentAt = performance.now();
    probe.then(
      () => {
        beating = false;
        if (mine === round) confirmedAt = Math.max(confirmedAt, sentAt);
      },
      () => {
        beating = false;
      },
    );
  }, options.intervalMs);
  timer.unref();
  return {
    fresh: () => performance.now() - confirmedAt < options.staleAfterMs,
    confirm(at = performance.now()) {
      confirmedAt = at;
    },
    forget() {
      round += 1;
      confirmedAt = -Infinity;
    },
    stop: () => clearInterval(timer),
  };
}
