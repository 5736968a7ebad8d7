import type { Clock } from '../../core/index.js';
import type { KeyValueStore } from './contract.js';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** One process only: for tests and `gatehouse serve` without a shared store. */
export function createMemoryKeyValueStore(clock: Clock, options: { sweepEvery?: number } = {}): KeyValueStore {
  const entries = new Map<string, Entry>();
  const sweepEvery = options.sweepEvery ?? 1000;
  let writes = 0;
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= clock.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  // Expired keys are dropped on read and by an occasional sweep, so memory stays bounded.
  const wrote = (): void => {
    if (++writes % sweepEvery !== 0) return;
    const now = clock.now();
    for (const [key, entry] of entries) if (entry.expiresAt !== null && entry.expiresAt <= now) entries.delete(key);
  };
  const expiry = (ttlMs?: number): number | null => (ttlMs === undefined ? null : clock.now() + ttlMs);
  return {
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: expiry(ttlMs) });
      wrote();
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAt: expiry(ttlMs) });
      wrote();
      return true;
    },
    async delete(key) {
      entries.delete(key);
    },
    async increment(key, ttlMs, by = 1) {
      const entry = live(key);
      const next = entry ? Number.parseInt(entry.value, 10) + by : by;
      entries.set(key, { value: String(next), expiresAt: entry ? entry.expiresAt : expiry(ttlMs) });
      wrote();
      return next;
    },
    async expiresAt(key) {
      return live(key)?.expiresAt ?? null;
    },
  };
}
