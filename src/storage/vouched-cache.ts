import type { Clock } from '../core/index.js';

export interface VouchedCacheOptions<V> {
  /** Most entries kept (least recently used leave first). */
  size: number;
  /** Oldest an entry may be served, whatever the feed says: a bound should an invalidation be missed. */
  maxAgeMs: number;
  clock: Clock;
  /** Whether memory may be served right now (the change feed's `vouches`, which may first report changes). */
  vouches: () => boolean;
  /** Which loaded values are remembered (say, only a live record, only "not revoked"). */
  keep: (value: V) => boolean;
}

export interface VouchedCache<V> {
  /** The remembered value while the feed vouches and no write is in flight; else `load()`, remembered when `keep` says so and nothing was dropped meanwhile. */
  get(key: string, load: () => Promise<V>): Promise<V>;
  /** Forgets `key`, or everything (null). */
  drop(key: string | null): void;
  /** A write this node makes: nothing is served or remembered while it runs, and `key` (if given) is dropped before and after. */
  writing<T>(key: string | null, work: () => Promise<T>): Promise<T>;
}

/**
 * Per-node memory in front of a store read, as strong as its invalidation and failing closed: nothing
 * is served unless the change feed vouches at that moment, no entry is older than `maxAgeMs`, and a
 * load overtaken by an invalidation (the epoch moved while it was in flight) answers its own caller but
 * is not remembered. What the session and deny-list caches share (the user cache predates it).
 */
export function createVouchedCache<V>(options: VouchedCacheOptions<V>): VouchedCache<V> {
  const { size, maxAgeMs, clock, vouches, keep } = options;
  const entries = new Map<string, { value: V; at: number }>();
  let epoch = 0;
  let writes = 0;

  const drop = (key: string | null) => {
    epoch += 1;
    if (key === null) entries.clear();
    else entries.delete(key);
  };

  return {
    async get(key, load) {
      if (!vouches() || writes > 0) return load();
      const entry = entries.get(key);
      const now = clock.now();
      if (entry && now - entry.at < maxAgeMs) {
        // Most recently used last: a Map iterates in insertion order.
        entries.delete(key);
        entries.set(key, entry);
        return entry.value;
      }
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
  };
}
