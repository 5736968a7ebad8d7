import { sha256 } from '../core/index.js';
import { toSession, isLive, type SessionManager, type SessionManagerDeps } from './types.js';

// ≥ 128 bits of base64url: anything else cannot be one of ours, and is rejected before a store read.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22,128}$/;
const TOKEN_BYTES = 32;

/**
 * Server-side sessions: a fresh 256-bit CSPRNG token at every create (no fixation), only its SHA-256
 * in the store, a sliding idle timeout capped by an absolute lifetime, and list / revoke for the user.
 */
export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const { store, clock, ids, config } = deps;
  const idleMs = config.sessions.idleTimeoutSec * 1000;
  const absoluteMs = config.sessions.absoluteLifetimeSec * 1000;
  const touchInterval = deps.touchIntervalMs ?? Math.min(60_000, Math.floor(idleMs / 10));
  const hashOf = (token: unknown): string | null => (typeof token === 'string' && TOKEN_SHAPE.test(token) ? sha256(token) : null);

  return {
    async create(input) {
      const token = ids.token(TOKEN_BYTES);
      const now = clock.now();
      const absoluteExpiresAt = now + absoluteMs;
      const record = {
        tokenHash: sha256(token),
        id: ids.uuid(),
        userId: input.userId,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: Math.min(now + idleMs, absoluteExpiresAt),
        absoluteExpiresAt,
        // Bounded like the SQL columns; a missing value (undefined from a loose caller) is null.
        ip: typeof input.ip === 'string' ? input.ip.slice(0, 64) : null,
        userAgent: typeof input.userAgent === 'string' ? input.userAgent.slice(0, 512) : null,
      };
      await store.create(record);
      return { token, session: toSession(record) };
    },

    async resolve(token, options = {}) {
      const tokenHash = hashOf(token);
      if (!tokenHash) return null;
      const record = await store.findByTokenHash(tokenHash);
      const now = clock.now();
      if (!record || !isLive(record, now)) return null;
      // Writing on every request would make each read a write; within touchInterval the stored
      // expiry is at most touchInterval behind, so the session can only end early, never late.
      if (options.slide === false || now - record.lastSeenAt < touchInterval) return toSession(record);
      const idleExpiresAt = Math.min(now + idleMs, record.absoluteExpiresAt);
      if (!(await store.touch(tokenHash, now, idleExpiresAt))) return null;
      return toSession({ ...record, lastSeenAt: now, idleExpiresAt });
    },

    async destroy(token) {
      const tokenHash = hashOf(token);
      if (!tokenHash) return null;
      const record = await store.deleteByTokenHash(tokenHash);
      return record ? toSession(record) : null;
    },

    async list(userId) {
      return (await store.listByUser(userId)).map(toSession);
    },

    async revoke(userId, sessionId) {
      if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > 64) return null;
      const record = await store.deleteById(userId, sessionId);
      return record ? toSession(record) : null;
    },

    async revokeOthers(userId, keepSessionId) {
      return (await store.deleteByUser(userId, keepSessionId)).map(toSession);
    },

    async revokeAll(userId) {
      return (await store.deleteByUser(userId)).map(toSession);
    },

    sweep: (limit) => store.sweep(limit),
  };
}
