/**
 * A key-value store with per-key expiry: the small shared contract behind throttles, deny-lists and
 * other short-lived state. Expiry follows the injected clock on every implementation (Redis also sets
 * a server-side TTL, but only to reclaim memory), so tests move time instead of sleeping.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** ttlMs: undefined = no expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when the key is absent (or expired); true when it did. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Adds `by` (default 1) to an integer counter and returns the new value. A counter that is absent or
   * expired starts at `by` with a fresh `ttlMs`; an existing one keeps its expiry (a fixed window). A
   * negative step gives back what a refused reservation took.
   */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  /** Epoch ms at which the key expires, null when it never does or is absent. */
  expiresAt(key: string): Promise<number | null>;
}
