import { systemClock, type Clock } from '../core/index.js';
import type { KeyValueStore } from '../storage/index.js';

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
export function createDenyList(kv: KeyValueStore, clock: Clock = systemClock): DenyList {
  const key = (sid: string) => `deny:sid:${sid}`;
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
