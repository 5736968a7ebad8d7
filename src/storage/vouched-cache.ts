import type { Clock } from '../core/index.js';
import type { UserChangeFeed } from './user-changes.js';

/**
 * What a vouched cache trusts: memory is served only while it vouches (which may first report changes),
 * and its "anything may have changed" (`onChange(null)`) empties the cache.
 */
export type VouchedCacheFeed = Pick<UserChangeFeed, 'vouches' | 'onChange'> & {
  /**
   * A feed whose changes arrive as messages on a socket (Redis tracking) answers a hit only once this
   * resolves (the end of the event loop's poll phase): a message that reached the node together with
   * the request is applied before memory is trusted.
   */
  settle?: () => Promise<void>;
};

/** Writes to single entries, by key, as a feed reports them (SQLite triggers, Redis invalidations). */
export interface KeyChanges {
  onChange(listener: (key: string) => void): void;
}

export interface VouchedCacheOptions<V> {
  /** Most entries kept (least recently used leave first). */
  size: number;
  /** Oldest an entry may be served, whatever the feed says: a bound should an invalidation be missed. */
  maxAgeMs: number;
  clock: Clock;
  feed: VouchedCacheFeed;
  /** The feed's ids are this cache's keys (the user cache): `onChange(id)` drops that entry too. */
  keyedByFeed?: boolean;
  /** Which loaded values are remembered (say, only a live record, only "not revoked"). */
  keep: (value: V) => boolean;
  /** Called after every drop (a key, or null: everything). */
  onDrop?: (key: string | null) => void;
}

export interface VouchedCacheStats {
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
}

export interface VouchedCache<V> {
  /** The remembered value while the feed vouches and no write is in flight; else `load()`, remembered when `keep` says so and nothing was dropped meanwhile. */
  get(key: string, load: () => Promise<V>): Promise<V>;
  /** Forgets `key`, or everything (null). */
  drop(key: string | null): void;
  /** A write this node makes: nothing is served or remembered while it runs, and `key` (if given) is dropped before and after. */
  writing<T>(key: string | null, work: () => Promise<T>): Promise<T>;
  stats(): VouchedCacheStats;
}

/**
 * Per-node memory in front of a store read, as strong as its invalidation and failing closed: nothing
 * is served unless the change feed vouches at that moment, no entry is older than `maxAgeMs`, and a
 * load overtaken by an invalidation (the epoch moved while it was in flight) answers its own caller but
 * is not remembered. The user, session, deny-list and OAuth client caches are each one of these.
 */
export function createVouchedCache<V>(options: VouchedCacheOptions<V>): VouchedCache<V> {
  const { size, maxAgeMs, clock, feed, keep, onDrop } = options;
  const entries = new Map<string, { value: V; at: number }>();
  let epoch = 0;
  let writes = 0;
  let hits = 0;
  let misses = 0;
  let invalidations = 0;

  const drop = (key: string | null) => {
    epoch += 1;
    invalidations += 1;
    if (key === null) entries.clear();
    else entries.delete(key);
    onDrop?.(key);
  };
  feed.onChange((id) => {
    if (id === null || options.keyedByFeed) drop(id);
  });

  return {
    async get(key, load) {
      // vouches() runs first: on SQLite it is what reports another process's commit.
      if (!feed.vouches() || writes > 0) return load();
      const entry = entries.get(key);
      const now = clock.now();
      if (entry && now - entry.at < maxAgeMs) {
        if (feed.settle) {
          const seen = epoch;
          await feed.settle();
          if (epoch !== seen || writes > 0 || !feed.vouches()) return load();
        }
        hits += 1;
        // Most recently used last: a Map iterates in insertion order.
        entries.delete(key);
        entries.set(key, entry);
        return entry.value;
      }
      misses += 1;
      const started = epoch;
      const value = await load();
      if (keep(value) && epoch === started && writes === 0) {
        entries.delete(key);
        entries.set(key, { value, at: now });
        if (entries.size > size) entries.delete(entries.keys().next().value!);
      }
      return value;
    },
    drop,
    async writing(key, work) {
      writes += 1;
      if (key !== null) drop(key);
      try {
        return await work();
      } finally {
        writes -= 1;
        if (key !== null) drop(key);
      }
    },
    stats: () => ({ entries: entries.size, hits, misses, invalidations }),
  };
}
