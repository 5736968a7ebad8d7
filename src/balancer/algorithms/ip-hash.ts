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
      let total = 0;
      for (const b of all) total += b.weight;
      // `eligible` leaves out backends that are down and, on a retry, those already tried: either way
      // the client is rehashed onto another one.
      if (total > 0) {
        for (let attempt = 0; attempt < 20; attempt++) {
          const chosen = slotFor(all, total, hash32(attempt === 0 ? ctx.clientIp : `${ctx.clientIp}#${attempt}`));
          if (eligible.includes(chosen)) return chosen;
        }
      }
      return eligible[hash32(ctx.clientIp) % eligible.length] as Backend;
    },
  };
}

/** The backend whose weighted slot holds `h`; weight-0 backends own no slot. */
function slotFor(all: readonly Backend[], total: number, h: number): Backend {
  let point = h % total;
  let last = all[0] as Backend;
  for (const backend of all) {
    if (backend.weight === 0) continue;
    if (point < backend.weight) return backend;
    point -= backend.weight;
    last = backend;
  }
  return last;
}
