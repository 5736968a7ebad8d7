/**
 * Time is injected so expiry (sessions, tokens, throttles, live sockets) is tested by moving a clock,
 * never by sleeping. `now()` is milliseconds since the epoch.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // setTimeout caps at ~24.8 days; longer waits re-arm.
    const MAX = 2_147_483_000;
    let handle: NodeJS.Timeout;
    const arm = (left: number): void => {
      handle = setTimeout(() => (left > MAX ? arm(left - MAX) : fn()), Math.min(Math.max(0, left), MAX));
      handle.unref?.();
    };
    arm(ms);
    return () => clearTimeout(handle);
  },
};

export interface ManualClock extends Clock {
  /** Moves time forward and fires every timer that falls due, in order. */
  advance(ms: number): void;
  set(epochMs: number): void;
}

/** A clock that only moves when told to: the one mock the project allows in tests. */
export function createManualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let current = startMs;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const fireDue = (): void => {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of timers) if (entry[1].at <= current && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) return;
      timers.delete(next[0]);
      next[1].fn();
    }
  };
  return {
    now: () => current,
    setTimer(ms, fn) {
      const id = ++seq;
      timers.set(id, { at: current + Math.max(0, ms), fn });
      return () => void timers.delete(id);
    },
    advance(ms) {
      current += ms;
      fireDue();
    },
    set(epochMs) {
      current = epochMs;
      fireDue();
    },
  };
}
