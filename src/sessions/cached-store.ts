import type { Clock } from '../core/index.js';
import { createVouchedCache, type UserChangeFeed } from '../storage/index.js';
import { isLive, type SessionRecord, type SessionStore } from './types.js';

export interface SessionCacheOptions {
  /** Most sessions kept (least recently used leave first). */
  size: number;
  /** Oldest an entry may be served, whatever the feed says: a bound should an invalidation be missed. */
  maxAgeMs: number;
  clock: Clock;
  /** The SQLite change feed: vouches for memory and reports other connections' commits (`onChange(null)`). */
  feed: UserChangeFeed;
  /** This connection's writes to session rows, by token hash (the feed's `sessions`). */
  sessionChanges: NonNullable<UserChangeFeed['sessions']>;
}

/**
 * A per-node memory of live session records in front of the SQL store, on SQLite: the session read was
 * the largest single cost of a session request (a prepared primary-key read, its WAL lock and the row),
 * while the user row behind it was already cached. It is the user cache's rules, for sessions:
 * - nothing is served unless the feed vouches at that moment (SQLite `data_version`, asked once per
 *   turn of the event loop: another process's commit empties the cache), and never inside a
 *   transaction on the connection (the feed says no then);
 * - every write through this store (create, touch, the deletes, sweep) drops what it may change, and
 *   nothing is served or remembered while one is in flight; a TEMP trigger reports every other write
 *   to a session row on this connection (raw SQL included);
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
    deleteById: (userId, id) => cache.writing(null, () => inner.deleteById(userId, id)),
    deleteByUser: (userId, exceptId) => cache.writing(null, () => inner.deleteByUser(userId, exceptId)),
    listByUser: (userId) => inner.listByUser(userId),
    sweep: (limit) => cache.writing(null, () => inner.sweep(limit)),
  };
}
