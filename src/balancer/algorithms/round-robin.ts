import type { Algorithm, Backend } from '../types.js';

/** Each eligible backend in turn, weights ignored. */
export function roundRobin(): Algorithm {
  let next = 0;
  return {
    name: 'round-robin',
    pick(eligible) {
      const chosen = eligible[next % eligible.length] as Backend;
      next = (next + 1) % 1_000_000_007;
      return chosen;
    },
  };
}
