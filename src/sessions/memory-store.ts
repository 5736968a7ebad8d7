import type { Clock } from '../core/index.js';
import { isLive, newestFirst, type SessionRecord, type SessionStore } from './types.js';

/**
 * One process only (`sessions.store: memory`, tests, the benchmark). Two maps keep every operation
 * O(1) in the number of sessions: by token hash, and per user by public id. Expired records are
 * dropped when met and by a sweep every `sweepEvery` creates, so memory stays bounded.
 */
export function createMemorySessionStore(clock: Clock, options: { sweepEvery?: number } = {}): SessionStore {
  const byHash = new Map<string, SessionRecord>();
  const byUser = new Map<string, Map<string, string>>();
  const sweepEvery = options.sweepEvery ?? 10_000;
  let creates = 0;

  const remove = (record: SessionRecord): void => {
    byHash.delete(record.tokenHash);
    const ids = byUser.get(record.userId);
    if (ids) {
      ids.delete(record.id);
      if (ids.size === 0) byUser.delete(record.userId);
    }
  };
  const live = (tokenHash: string): SessionRecord | null => {
    const record = byHash.get(tokenHash);
    if (!record) return null;
    if (isLive(record, clock.now())) return record;
    remove(record);
    return null;
  };
  const sweep = (): number => {
    const now = clock.now();
    let n = 0;
    for (const record of byHash.values()) {
      if (!isLive(record, now)) {
        remove(record);
        n++;
      }
    }
    return n;
  };

  return {
    async create(record) {
      byHash.set(record.tokenHash, { ...record });
      let ids = byUser.get(record.userId);
      if (!ids) byUser.set(record.userId, (ids = new Map()));
      ids.set(record.id, record.tokenHash);
      if (++creates % sweepEvery === 0) sweep();
    },
    async findByTokenHash(tokenHash) {
      const record = live(tokenHash);
      return record ? { ...record } : null;
    },
    async touch(tokenHash, lastSeenAt, idleExpiresAt) {
      const record = live(tokenHash);
      if (!record) return false;
      record.lastSeenAt = lastSeenAt;
      record.idleExpiresAt = idleExpiresAt;
      return true;
    },
    async deleteByTokenHash(tokenHash) {
      const record = live(tokenHash);
      if (!record) return null;
      remove(record);
      return record;
    },
    async deleteById(userId, id) {
      const tokenHash = byUser.get(userId)?.get(id);
      if (tokenHash === undefined) return null;
      const record = live(tokenHash);
      if (!record) return null;
      remove(record);
      return record;
    },
    async deleteByUser(userId, exceptId) {
      const ids = byUser.get(userId);
      if (!ids) return [];
      const deleted: SessionRecord[] = [];
      for (const [id, tokenHash] of [...ids]) {
        if (id === exceptId) continue;
        const record = live(tokenHash);
        if (!record) continue;
        remove(record);
        deleted.push(record);
      }
      return deleted.sort(newestFirst);
    },
    async listByUser(userId) {
      const ids = byUser.get(userId);
      if (!ids) return [];
      const out: SessionRecord[] = [];
      for (const tokenHash of [...ids.values()]) {
        const record = live(tokenHash);
        if (record) out.push({ ...record });
      }
      return out.sort(newestFirst);
    },
    async sweep() {
      return sweep();
    },
  };
}
