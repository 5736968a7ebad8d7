import { hash32 } from '../hash.js';
import type { Algorithm, AlgorithmOptions, Backend } from '../types.js';

interface Ring {
  signature: string;
  points: Uint32Array;
  owners: Backend[];
}

/**
 * A hash ring with virtual nodes (more per unit of weight) and bounded loads (Mirrokni, Thorup,
 * Zadimoghaddam 2017): a key goes to the first backend clockwise whose requests in flight stay under
 * loadFactor × the mean, so a hot key cannot bury one backend. When a backend joins, only the keys
 * now falling in its arcs move (≈ 1/N of them).
 */
export function consistentHash(options: AlgorithmOptions = {}): Algorithm {
  const loadFactor = options.loadFactor ?? 1.25;
  const perWeight = options.virtualNodes ?? 160;
  let ring: Ring | undefined;

  const build = (eligible: readonly Backend[]): Ring => {
    const signature = eligible.map((b) => `${b.id}*${b.effectiveWeight}`).join('|');
    if (ring && ring.signature === signature) {
      // Same membership: refresh the owner objects (they may have been replaced) without rehashing.
      return ring;
    }
    const entries: { point: number; owner: Backend }[] = [];
    for (const backend of eligible) {
      const count = Math.max(1, Math.round(perWeight * backend.effectiveWeight));
      for (let v = 0; v < count; v++) entries.push({ point: hash32(`${backend.id}-${v}`), owner: backend });
    }
    entries.sort((a, b) => a.point - b.point || (a.owner.id < b.owner.id ? -1 : 1));
    ring = { signature, points: Uint32Array.from(entries.map((e) => e.point)), owners: entries.map((e) => e.owner) };
    return ring;
  };

  return {
    name: 'consistent-hash',
    pick(eligible, ctx) {
      const r = build(eligible);
      const byId = new Map(eligible.map((b) => [b.id, b] as const));
      const h = hash32(ctx.key ?? ctx.clientIp);
      let lo = 0;
      let hi = r.points.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((r.points[mid] as number) < h) lo = mid + 1;
        else hi = mid;
      }
      const totalActive = eligible.reduce((sum, b) => sum + b.activeConnections, 0);
      const capacity = Math.ceil((loadFactor * (totalActive + 1)) / eligible.length);
      let first: Backend | undefined;
      for (let i = 0; i < r.points.length; i++) {
        const owner = r.owners[(lo + i) % r.points.length] as Backend;
        const live = byId.get(owner.id) ?? owner;
        first ??= live;
        if (live.activeConnections < capacity) return live;
      }
      return first ?? (eligible[0] as Backend);
    },
  };
}
