import type { Algorithm, AlgorithmOptions, Backend } from '../types.js';

/**
 * Power of two choices (Mitzenmacher): two distinct random backends, the less loaded (relative to
 * weight) wins. Almost as even as least-connections without every balancer chasing the same minimum.
 */
export function randomTwo(options: AlgorithmOptions = {}): Algorithm {
  const random = options.random ?? Math.random;
  return {
    name: 'random-two',
    pick(eligible) {
      const n = eligible.length;
      if (n === 1) return eligible[0] as Backend;
      const i = Math.floor(random() * n) % n;
      const j = (i + 1 + (Math.floor(random() * (n - 1)) % (n - 1))) % n;
      const a = eligible[i] as Backend;
      const b = eligible[j] as Backend;
      return load(b) < load(a) ? b : a;
    },
  };
}

function load(backend: Backend): number {
  return backend.effectiveWeight > 0 ? (backend.activeConnections + 1) / backend.effectiveWeight : Infinity;
}
