import { systemClock, type Clock } from '../core/index.js';
import { createVouchedCache, type KeyChanges, type KeyValueStore, type VouchedCacheFeed } from '../storage/index.js';

/**
 * Refresh families (`sid`) whose access tokens must stop working before they expire: logout, "log out
 * everywhere", password change, admin revoke, refresh-token reuse. It lives in the shared store (Redis
 * or SQL), so every node sees an entry the moment it is written.
 */
export interface DenyList {
  /** Denies `sid` until `untilMs` (epoch ms): the last moment a token of the family could still verify. */
  deny(sid: string, untilMs: number): Promise<void>;
  isDenied(sid: string): Promise<boolean>;
}

/** `clock` must be the one the key-value store was built with (expiry is relative to it). */
const KEY_PREFIX = 'deny:sid:';
const key = (sid: string) => `${KEY_PREFIX}${sid}`;

export function createDenyList(kv: KeyValueStore, clock: Clock = systemClock): DenyList {
  return {
    async deny(sid, untilMs) {
      // The store's own clock decides expiry; we only pass how long from now. At least 1 ms so a
      // deny issued at the edge still lands.
      await kv.set(key(sid), '1', Math.max(1, untilMs - clock.now()));
    },
    async isDenied(sid) {
      return (await kv.get(key(sid))) !== null;
    },
  };
}

export interface DenyListCacheOptions {
  /** Families remembered as not denied (least recently used leave first). */
  size: number;
  /** Oldest an answer may be served, whatever the feed says. */
  maxAgeMs: number;
  clock: Clock;
  /** Vouches for memory and reports "anything may have changed": the SQLite feed, or Redis tracking. */
  feed: VouchedCacheFeed;
  /** Every write to a key-value entry the store can learn of, by key (SQLite: the feed's `keys`; Redis: tracking). */
  keyChanges: KeyChanges;
}

/**
 * "Not denied", remembered per family on one node: a JWT request's one store read. Only that answer is
 * remembered (a denial is read every time), and only as long as nothing could have denied the family
 * since: a deny through this list drops it at once. Over the embedded SQLite key-value store any write of
 * the family's entry on this connection (the trigger) drops it too, and another connection's commit
 * (another node, the CLI) empties the memory from the next turn of the event loop (data_version); nothing
 * is served inside a transaction. Over Redis the server's invalidation drops it, whichever client wrote
 * (a hit waits out the poll phase, so a message that came with the request is applied first), and nothing
 * is served while tracking is not armed and answering. Never older than `maxAgeMs`.
 */
export function createCachedDenyList(inner: DenyList, options: DenyListCacheOptions): DenyList {
  const notDenied = createVouchedCache<boolean>({ size: options.size, maxAgeMs: options.maxAgeMs, clock: options.clock, feed: options.feed, keep: (denied) => !denied });
  options.keyChanges.onChange((changed) => {
    if (changed.startsWith(KEY_PREFIX)) notDenied.drop(changed.slice(KEY_PREFIX.length));
  });
  return {
    deny: (sid, untilMs) => notDenied.writing(sid, () => inner.deny(sid, untilMs)),
    isDenied: (sid) => notDenied.get(sid, () => inner.isDenied(sid)),
  };
}
