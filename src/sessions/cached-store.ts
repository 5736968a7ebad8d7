import type { Clock } from '../core/index.js';
import type { UserChangeFeed } from '../storage/index.js';
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
 * - every write through this store (create, touch, the deletes, sweep) drops what it may change before
 *   and after, and nothing is served or stored while one is in flight; a TEMP trigger reports this
 *   connection's other writes to session rows (raw SQL, a user's deletion cascading);
 * - a read overtaken by an invalidation is answered but not stored; no entry is older than `maxAgeMs`;
 * - expiry is still the caller's check by the clock (the manager's `isLive`), so an entry never
 *   outlives its session; unknown tokens are not remembered.
 */
export function createCachedSessionStore(inner: SessionStore, options: SessionCacheOptions): SessionStore {
  const { size, maxAgeMs, clock, feed, sessionChanges } = options;
  const entries = new Map<string, { record: SessionRecord; at: number }>();
  let epoch = 0;
  let writes = 0;

  const drop = (tokenHash: string | null) => {
    epoch += 1;
    if (tokenHash === null) entries.clear();
    else entries.delete(tokenHash);
  };
  feed.onChange((userId) => {
    if (userId === null) drop(null);
  });
  sessionChanges.onChange(drop);

  /**
   * A write through this store: nothing is served while it is in flight, and the session it names (if
   * one) is dropped before and after. The rows a write by user or by expiry removes are dropped one by
   * one as they go, by the trigger.
   */
  const writing = async <T>(tokenHash: string | null, work: () => Promise<T>): Promise<T> => {
    writes += 1;
    if (tokenHash !== null) drop(tokenHash);
    try {
      return await work();
    } finally {
      writes -= 1;
      if (tokenHash !== null) drop(tokenHash);
    }
  };

  return {
    async findByTokenHash(tokenHash) {
      if (!feed.vouches() || writes > 0) return inner.findByTokenHash(tokenHash);
      const entry = entries.get(tokenHash);
      const now = clock.now();
      if (entry && now - entry.at < maxAgeMs) {
        // The store's contract holds from memory too: never a record past either expiry.
        if (!isLive(entry.record, now)) return null;
        entries.delete(tokenHash);
        entries.set(tokenHash, entry);
        return entry.record;
      }
      const started = epoch;
      const at = now;
      const record = await inner.findByTokenHash(tokenHash);
      if (record && epoch === started && writes === 0) {
        entries.delete(tokenHash);
        entries.set(tokenHash, { record: Object.freeze(record), at });
        if (entries.size > size) entries.delete(entries.keys().next().value!);
      }
      return record;
    },
    create: (record) => writing(record.tokenHash, () => inner.create(record)),
    touch: (tokenHash, lastSeenAt, idleExpiresAt) => writing(tokenHash, () => inner.touch(tokenHash, lastSeenAt, idleExpiresAt)),
    deleteByTokenHash: (tokenHash) => writing(tokenHash, () => inner.deleteByTokenHash(tokenHash)),
    deleteById: (userId, id) => writing(null, () => inner.deleteById(userId, id)),
    deleteByUser: (userId, exceptId) => writing(null, () => inner.deleteByUser(userId, exceptId)),
    listByUser: (userId) => inner.listByUser(userId),
    sweep: (limit) => writing(null, () => inner.sweep(limit)),
  };
}
