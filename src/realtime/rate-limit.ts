import type { Clock } from '../core/index.js';

/**
 * One token bucket per socket: `perSecond` events a second on average, bursts up to the same number.
 * Time comes from the injected clock, so tests move it instead of sleeping.
 */
export interface TokenBucket {
  /** Takes one token; returns 0 when allowed, else the ms until the next token. */
  take(): number;
}

export function createTokenBucket(clock: Clock, perSecond: number): TokenBucket {
  const capacity = Math.max(1, perSecond);
  let tokens = capacity;
  let last = clock.now();
  return {
    take() {
      const now = clock.now();
      if (now > last) {
        tokens = Math.min(capacity, tokens + ((now - last) * perSecond) / 1000);
        last = now;
      }
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - tokens) * 1000) / perSecond);
    },
  };
}
