import type { Clock, IdSource } from '../core/index.js';

/**
 * Message ids that sort by time: `<ms base36, 9>-<node-local sequence base36, 6>-<node tag, 8 hex>`.
 * History pages and client dedup both key on them, so ids from one node are strictly increasing even
 * when the clock stands still (a manual clock, or several messages in one millisecond); the random tag
 * keeps ids of different nodes apart.
 */
export function createMessageIds(clock: Clock, ids: IdSource): { next(): { id: string; ts: number } } {
  // Lower-case hex and fixed widths: PostgreSQL's locale collation then orders ids exactly as bytes do.
  const tag = ids.uuid().replace(/-/g, '').slice(0, 8);
  let lastMs = 0;
  let seq = 0;
  return {
    next() {
      const ts = clock.now();
      if (ts > lastMs) {
        lastMs = ts;
        seq = 0;
      } else {
        seq += 1;
      }
      const id = `${lastMs.toString(36).padStart(9, '0')}-${seq.toString(36).padStart(6, '0')}-${tag}`;
      return { id, ts };
    },
  };
}

/** What a client may send as a `before` / `after` cursor: exactly our id shape, so SQL sees nothing odd. */
export const MESSAGE_ID_PATTERN = /^[0-9a-z]{9}-[0-9a-z]{6}-[0-9a-f]{8}$/;
