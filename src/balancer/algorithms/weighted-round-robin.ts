import type { Algorithm, Backend } from '../types.js';

/**
 * nginx's smooth weighted round robin: every pick adds each backend's weight to its running score,
 * takes the highest and subtracts the total from it. Weights 5,1,1 give a a b a c a a — the heavy
 * backend's turns are spread out instead of arriving in a burst.
 */
export function weightedRoundRobin(): Algorithm {
  const current = new Map<string, number>();
  return {
    name: 'weighted-round-robin',
    pick(eligible) {
      let total = 0;
      let best: Backend | undefined;
      let bestScore = -Infinity;
      for (const backend of eligible) {
        const weight = backend.effectiveWeight;
        total += weight;
        const score = (current.get(backend.id) ?? 0) + weight;
        current.set(backend.id, score);
        if (score > bestScore) {
          bestScore = score;
          best = backend;
        }
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: the rule reads `??`'s contextual type, tsc does not
      const chosen = best ?? (eligible[0] as Backend);
      current.set(chosen.id, bestScore - total);
      // Scores of backends that left would linger forever; drop them once the set shrinks.
      if (current.size > eligible.length * 2) {
        const ids = new Set(eligible.map((b) => b.id));
        for (const id of current.keys()) if (!ids.has(id)) current.delete(id);
      }
      return chosen;
    },
  };
}
