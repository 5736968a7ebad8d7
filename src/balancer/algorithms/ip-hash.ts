import { hash32 } from '../hash.js';
import type { Algorithm, Backend } from '../types.js';

/**
 * The client IP picks a slot in the full weighted list of configured backends, so a client keeps its
 * backend while others come and go down; when its own backend is out it is rehashed (as nginx does)
 * rather than spilling onto the next slot, so the load of a missing backend spreads evenly.
 */
export function ipHash(): Algorithm {
  return {
    name: 'ip-hash',
    pick(eligible, ctx, all) {
      const eligibleIds = new Set(eligible.map((b) => b.id));
      const slots = all.filter((b) => b.weight > 0);
      const total = slots.reduce((sum, b) => sum + b.weight, 0);
      if (total > 0) {
        for (let attempt = 0; attempt < 20; attempt++) {
          const chosen = slotFor(slots, total, hash32(attempt === 0 ? ctx.clientIp : `${ctx.clientIp}#${attempt}`));
          if (eligibleIds.has(chosen.id)) return chosen;
        }
      }
      return eligible[hash32(ctx.clientIp) % eligible.length] as Backend;
    },
  };
}

function slotFor(slots: readonly Backend[], total: number, h: number): Backend {
  let point = h % total;
  for (const backend of slots) {
    if (point < backend.weight) return backend;
    point -= backend.weight;
  }
  return slots[slots.length - 1] as Backend;
}
