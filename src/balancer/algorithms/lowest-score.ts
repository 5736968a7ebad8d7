import type { Algorithm, AlgorithmName, Backend } from '../types.js';

/**
 * An algorithm that picks the eligible backend with the lowest score. The scan starts one further on
 * each pick, so ties go round robin: idle backends share the first requests instead of the first one
 * taking them all.
 */
export function lowestScore(name: AlgorithmName, score: (backend: Backend) => number): Algorithm {
  let rotation = 0;
  return {
    name,
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
