import { hash32 } from '../hash.js';
import type { Algorithm, AlgorithmOptions, Backend } from '../types.js';

/** The ring of every configured backend at full weight; rebuilt only when members or weights change. */
interface Ring {
  members: Backend[];
  weights: number[];
  points: Uint32Array;
  owners: Backend[];
  /** Each point's virtual-node number within its owner (0 … perWeight × weight − 1). */
  vnodes: Uint32Array;
}

export interface ConsistentHashAlgorithm extends Algorithm {
  /** How many times the ring was built: once per membership or weight change, never per pick. */
  readonly ringBuilds: number;
}

/**
 * A hash ring with virtual nodes (more per unit of weight) and bounded loads (Mirrokni, Thorup,
 * Zadimoghaddam 2017): a key goes to the first backend clockwise whose requests in flight stay under
 * loadFactor × the mean, so a hot key cannot bury one backend. When a backend joins, only the keys
 * now falling in its arcs move (≈ 1/N of them).
 *
 * The ring holds every configured backend at its full weight, so a pick is a binary search and a short
 * walk (O(log n)) whatever happens to the pool: a backend that is down, excluded by a retry or not
 * eligible is skipped on the walk, and one in slow start owns only the first
 * perWeight × effectiveWeight of its virtual nodes — the same points a ring built for that weight
 * would hold, without rebuilding the ring as the weight ramps up on every pick.
 */
export function consistentHash(options: AlgorithmOptions = {}): ConsistentHashAlgorithm {
  const loadFactor = options.loadFactor ?? 1.25;
  const perWeight = options.virtualNodes ?? 160;
  let ring: Ring | undefined;
  let ringBuilds = 0;
  // Reused on every pick: which backends may take this request.
  const allowed = new Set<Backend>();

  const current = (all: readonly Backend[]): Ring => {
    if (ring && sameMembers(ring, all)) return ring;
    const entries: { point: number; owner: Backend; vnode: number }[] = [];
    const members: Backend[] = [];
    const weights: number[] = [];
    for (const backend of all) {
      members.push(backend);
      weights.push(backend.weight);
      const count = Math.round(perWeight * backend.weight);
      for (let v = 0; v < count; v++) entries.push({ point: hash32(`${backend.id}-${v}`), owner: backend, vnode: v });
    }
    entries.sort((a, b) => a.point - b.point || (a.owner.id < b.owner.id ? -1 : a.owner.id > b.owner.id ? 1 : a.vnode - b.vnode));
    ringBuilds++;
    ring = {
      members,
      weights,
      points: Uint32Array.from(entries, (e) => e.point),
      owners: entries.map((e) => e.owner),
      vnodes: Uint32Array.from(entries, (e) => e.vnode),
    };
    return ring;
  };

  return {
    name: 'consistent-hash',
    get ringBuilds() {
      return ringBuilds;
    },
    pick(eligible, ctx, all) {
      const r = current(all);
      allowed.clear();
      let totalActive = 0;
      for (const b of eligible) {
        allowed.add(b);
        totalActive += b.activeConnections;
      }
      const capacity = Math.ceil((loadFactor * (totalActive + 1)) / eligible.length);
      const h = hash32(ctx.key ?? ctx.clientIp);
      let lo = 0;
      let hi = r.points.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((r.points[mid] as number) < h) lo = mid + 1;
        else hi = mid;
      }
      let first: Backend | undefined;
      const n = r.points.length;
      for (let i = 0; i < n; i++) {
        const at = lo + i < n ? lo + i : lo + i - n;
        const owner = r.owners[at] as Backend;
        if (!allowed.has(owner)) continue;
        // A warming backend owns only its first vnodes, as many as its ramped weight earns (at least one).
        if (owner.effectiveWeight < owner.weight && (r.vnodes[at] as number) >= Math.max(1, Math.round(perWeight * owner.effectiveWeight))) continue;
        first ??= owner;
        if (owner.activeConnections < capacity) return owner;
      }
      return first ?? (eligible[0] as Backend);
    },
  };
}

function sameMembers(ring: Ring, all: readonly Backend[]): boolean {
  if (ring.members.length !== all.length) return false;
  for (let i = 0; i < all.length; i++) {
    const b = all[i] as Backend;
    if (ring.members[i] !== b || ring.weights[i] !== b.weight) return false;
  }
  return true;
}
