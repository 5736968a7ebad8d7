import type { Algorithm, Backend } from '../types.js';

/**
 * Fewest requests in flight relative to weight (HAProxy's leastconn, nginx's least_conn). Ties go
 * round robin so idle backends share the first requests instead of the first one taking them all.
 */
export function leastConnections(): Algorithm {
  let rotation = 0;
  return {
    name: 'least-connections',
    pick(eligible) {
      const n = eligible.length;
      const start = rotation++ % n;
      let best = eligible[start] as Backend;
      let bestLoad = load(best);
      for (let i = 1; i < n; i++) {
        const backend = eligible[(start + i) % n] as Backend;
        const l = load(backend);
        if (l < bestLoad) {
          best = backend;
          bestLoad = l;
        }
      }
      return best;
    },
  };
}

function load(backend: Backend): number {
  return backend.effectiveWeight > 0 ? backend.activeConnections / backend.effectiveWeight : Infinity;
}
