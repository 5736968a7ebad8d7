import type { Clock } from '../core/index.js';
import { createVouchedCache, type UserChangeFeed } from '../storage/index.js';
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

/**
 * A per-node LRU of user rows, in front of the primary-key read every authenticated request makes.
 * It is only as strong as its invalidation, so it fails closed (storage/vouched-cache.ts): nothing is
 * served unless the change feed vouches for it at that moment, no entry is older than `maxAgeMs`, a
 * read that raced an invalidation is returned but never stored, and nothing is stored while the feed
 * is not live (PostgreSQL: LISTEN down).
 */
export function createUserCache(load: (id: string) => Promise<User | null>, options: UserCacheOptions): UserCache {
  const { feed } = options;
  const listeners = new Set<(id: string | null) => void>();
  const cache = feed
    ? createVouchedCache<User | null>({
        size: options.size,
        maxAgeMs: options.maxAgeMs,
        clock: options.clock,
        feed,
        keyedByFeed: true,
        keep: (user) => user !== null && feed.live,
        onDrop: (id) => listeners.forEach((listener) => listener(id)),
      })
    : null;
  const enabled = options.size > 0 && cache !== null;
  return {
    get: (id) => (enabled ? cache.get(id, async () => freeze(await load(id))) : load(id)),
    writing: (id, work) => (cache ? cache.writing(id, work) : work()),
    onInvalidate(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onLive: (listener) => feed?.onLive(listener),
    status: () => ({ enabled, live: enabled && feed !== null && feed.live, ...(cache ? cache.stats() : { entries: 0, hits: 0, misses: 0, invalidations: 0 }) }),
  };
}

/** A cached user is shared by every request that reads it: nobody may change it in place. */
function freeze(user: User | null): User | null {
  if (!user) return null;
  Object.freeze(user.roles);
  return Object.freeze(user);
}
