import type { Algorithm, Backend } from '../types.js';

/**
 * Lowest latency EWMA times requests in flight (the "peak EWMA" idea from Finagle/Linkerd): a fast
 * backend that is already busy stops looking fast. Backends not yet measured (EWMA 0) are tried first
 * so each gets a sample.
 */
export function leastLatency(): Algorithm {
  let rotation = 0;
  return {
    name: 'least-latency',
    pick(eligible) {
      const n = eligible.length;
      const start = rotation++ % n;
      let best = eligible[start] as Backend;
      let bestScore = score(best);
      for (let i = 1; i < n; i++) {
        const backend = eligible[(start + i) % n] as Backend;
        const s = score(backend);
        if (s < bestScore) {
          best = backend;
          bestScore = s;
        }
      }
      return best;
    },
  };
}

function score(backend: Backend): number {
  if (backend.effectiveWeight <= 0) return Infinity;
  return (backend.latencyMs * (backend.activeConnections + 1)) / backend.effectiveWeight;
}
