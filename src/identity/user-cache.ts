import type { Clock } from '../core/index.js';
import type { UserChangeFeed } from '../storage/index.js';
import type { User } from './types.js';

export interface UserCacheOptions {
  /** Most users kept (least recently used leave first); 0 turns the cache off. */
  size: number;
  /** Oldest an entry may be served, whatever the feed says: a bound if an invalidation is ever missed. */
  maxAgeMs: number;
  clock: Clock;
  /** Announces writes made elsewhere (another node, the CLI); without it nothing is served from memory. */
  feed: UserChangeFeed | null;
}

export interface UserCacheStatus {
  enabled: boolean;
  /** The feed vouches for the cache right now (PostgreSQL: listening). */
  live: boolean;
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
}

export interface UserCache {
  /** The user as the credential check must see it: from memory when the feed vouches, else the store. */
  get(id: string): Promise<User | null>;
  /**
   * Runs a write to user `id` made by this node: the entry is dropped before and after, and while any
   * such write is in flight nothing is served from or stored into memory.
   */
  writing<T>(id: string, work: () => Promise<T>): Promise<T>;
  /** Called with the id of every user dropped (null: all), after dropping; returns the unsubscribe. */
  onInvalidate(listener: (id: string | null) => void): () => void;
  /** Called when the feed starts or stops vouching (PostgreSQL: LISTEN up or down). */
  onLive(listener: (live: boolean) => void): void;
  status(): UserCacheStatus;
}

interface Entry {
  user: User;
  at: number;
}

/**
 * A per-node LRU of user rows, in front of the primary-key read every authenticated request makes.
 * It is only as strong as its invalidation, so it fails closed: nothing is served unless the change
 * feed vouches for it at that moment, no entry is older than `maxAgeMs`, and a read that raced an
 * invalidation (the `epoch` moved while it was in flight) is returned but never stored.
 */
export function createUserCache(load: (id: string) => Promise<User | null>, options: UserCacheOptions): UserCache {
  const { size, maxAgeMs, clock, feed } = options;
  const entries = new Map<string, Entry>();
  const listeners = new Set<(id: string | null) => void>();
  let epoch = 0;
  let writes = 0;
  let hits = 0;
  let misses = 0;
  let invalidations = 0;

  const drop = (id: string | null) => {
    epoch += 1;
    invalidations += 1;
    if (id === null) entries.clear();
    else entries.delete(id);
    for (const listener of listeners) listener(id);
  };
  feed?.onChange(drop);

  const enabled = size > 0 && feed !== null;
  return {
    async get(id) {
      // vouches() runs first: on SQLite it is what reports another process's commit.
      if (!enabled || !feed.vouches() || writes > 0) return load(id);
      const entry = entries.get(id);
      if (entry && clock.now() - entry.at < maxAgeMs) {
        hits += 1;
        // Most recently used last: Map iteration order is insertion order.
        entries.delete(id);
        entries.set(id, entry);
        return entry.user;
      }
      misses += 1;
      const started = epoch;
      const at = clock.now();
      const user = await load(id);
      if (user && epoch === started && writes === 0 && feed.live) {
        entries.delete(id);
        entries.set(id, { user: freeze(user), at });
        if (entries.size > size) entries.delete(entries.keys().next().value!);
      }
      return user;
    },
    async writing(id, work) {
      writes += 1;
      drop(id);
      try {
        return await work();
      } finally {
        writes -= 1;
        drop(id);
      }
    },
    onInvalidate(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onLive: (listener) => feed?.onLive(listener),
    status: () => ({ enabled, live: enabled && feed.live, entries: entries.size, hits, misses, invalidations }),
  };
}

/** A cached user is shared by every request that reads it: nobody may change it in place. */
function freeze(user: User): User {
  Object.freeze(user.roles);
  return Object.freeze(user);
}
