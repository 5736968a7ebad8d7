import type { Clock } from '../core/index.js';
import { createVouchedCache, trackedKeys, type KeyChanges, type RedisKeyTracking, type VouchedCacheFeed } from '../storage/index.js';
import { redisSessionRecordPrefix } from './redis-store.js';
import { isLive, type SessionRecord, type SessionStore } from './types.js';

export interface SessionCacheOptions {
  /** Most sessions kept (least recently used leave first). */
  size: number;
  /** Oldest an entry may be served, whatever the feed says: a bound should an invalidation be missed. */
  maxAgeMs: number;
  clock: Clock;
  /**
   * Vouches for memory and reports "anything may have changed" (`onChange(null)`): the SQLite feed
   * (another connection's commit), or Redis tracking (lost, re-armed, flushed).
   */
  feed: VouchedCacheFeed;
  /** Every write to one session the store can learn of, by token hash (SQLite: the feed's `sessions`). */
  sessionChanges: KeyChanges;
}

/** The cache's feed and session changes from Redis tracking; the store's reads go through `tracking.reader`. */
export function redisSessionChanges(tracking: RedisKeyTracking, keyPrefix?: string): Pick<SessionCacheOptions, 'feed' | 'sessionChanges'> {
  const { feed, keys } = trackedKeys(tracking, redisSessionRecordPrefix(keyPrefix));
  return { feed, sessionChanges: keys };
}

/**
 * A per-node memory of live session records in front of the store, on SQLite or Redis: the session
 * read was the largest single cost of a session request (a prepared primary-key read with its WAL lock,
 * or a Redis round trip), while the user row behind it was already cached. The user cache's rules:
 * - nothing is served unless the feed vouches at that moment (SQLite `data_version`, asked once per
 *   turn of the event loop: another process's commit empties the cache; never inside a transaction on
 *   the connection. Redis: tracking armed and a heartbeat answered within its bound);
 * - every write through this store (create, touch, the deletes, sweep) drops what it may change, and
 *   nothing is served or remembered while one is in flight; every other write to a session is reported
 *   by key (SQLite: a TEMP trigger on this connection, raw SQL included; Redis: the server's
 *   invalidation, whichever client wrote, and expiry or eviction too);
 * - a read overtaken by an invalidation is answered but not remembered; no entry is older than
 *   `maxAgeMs`; unknown tokens are not remembered;
 * - expiry is checked by the clock on every answer, from memory too, as the store's contract says.
 */
export function createCachedSessionStore(inner: SessionStore, options: SessionCacheOptions): SessionStore {
  const { clock, feed, sessionChanges } = options;
  const cache = createVouchedCache<SessionRecord | null>({
    size: options.size,
    maxAgeMs: options.maxAgeMs,
    clock,
    feed,
    keep: (record) => record !== null,
  });
  // The rows a write by user or by expiry removes are dropped one by one as they go, by the trigger.
  sessionChanges.onChange(cache.drop);

  return {
    async findByTokenHash(tokenHash) {
      const record = await cache.get(tokenHash, async () => {
        const loaded = await inner.findByTokenHash(tokenHash);
        return loaded && Object.freeze(loaded);
      });
      // The store's contract holds from memory too: never a record past either expiry.
      return record && isLive(record, clock.now()) ? record : null;
    },
    create: (record) => cache.writing(record.tokenHash, () => inner.create(record)),
    touch: (tokenHash, lastSeenAt, idleExpiresAt) => cache.writing(tokenHash, () => inner.touch(tokenHash, lastSeenAt, idleExpiresAt)),
    deleteByTokenHash: (tokenHash) => cache.writing(tokenHash, () => inner.deleteByTokenHash(tokenHash)),
    // What these remove is dropped by token hash as soon as the store answers: Redis's own invalidation
    // travels on another connection and may come after this node's next read.
    deleteById: (userId, id) =>
      cache.writing(null, async () => {
        const removed = await inner.deleteById(userId, id);
        if (removed) cache.drop(removed.tokenHash);
        return removed;
      }),
    deleteByUser: (userId, exceptId) =>
      cache.writing(null, async () => {
        const removed = await inner.deleteByUser(userId, exceptId);
        for (const record of removed) cache.drop(record.tokenHash);
        return removed;
      }),
    listByUser: (userId) => inner.listByUser(userId),
    sweep: (limit) => cache.writing(null, () => inner.sweep(limit)),
  };
}
