import type { Config, Clock, IdSource } from '../core/index.js';

export interface Session {
  /** Public record id (uuid), shown in session lists; never the cookie token. */
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** What a store keeps: the session and the SHA-256 of its token (the token itself is never stored). */
export interface SessionRecord extends Session {
  tokenHash: string;
}

/**
 * The small store contract every session backend implements (memory, SQL, Redis); one contract test
 * runs against all of them. Expiry is logical, by the injected clock: reads never return a record
 * whose idle or absolute expiry is at or before `clock.now()`, whatever the backend has reclaimed.
 */
export interface SessionStore {
  create(record: SessionRecord): Promise<void>;
  /** The live record with this token hash, or null. */
  findByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  /** Records activity; false when the session is gone (deleted or expired), in which case nothing is written. */
  touch(tokenHash: string, lastSeenAt: number, idleExpiresAt: number): Promise<boolean>;
  /** Deletes the session; returns it when it was live. */
  deleteByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  /** Deletes the session with this public id only when it belongs to `userId`; returns it when it was live. */
  deleteById(userId: string, id: string): Promise<SessionRecord | null>;
  /** Deletes every session of the user except `exceptId`; returns the live ones it deleted. */
  deleteByUser(userId: string, exceptId?: string): Promise<SessionRecord[]>;
  /** The user's live sessions, newest first. */
  listByUser(userId: string): Promise<SessionRecord[]>;
  /**
   * Drops at most `limit` expired records (reclaims space; correctness never depends on it). Returns
   * how many. Stores whose backend expires records itself (Redis) drop nothing.
   */
  sweep(limit: number): Promise<number>;
}

export interface SessionManager {
  create(input: { userId: string; ip: string | null; userAgent: string | null }): Promise<{ token: string; session: Session }>;
  /** null when unknown, idle-expired or past its absolute lifetime (by the injected clock); slides the idle expiry. */
  /** The live session; `slide: false` reads it without counting the read as activity. */
  resolve(token: string, options?: { slide?: boolean }): Promise<Session | null>;
  destroy(token: string): Promise<Session | null>;
  /** Newest first. */
  list(userId: string): Promise<Session[]>;
  /** Only the user's own; null when there is no such live session of theirs. */
  revoke(userId: string, sessionId: string): Promise<Session | null>;
  revokeOthers(userId: string, keepSessionId: string): Promise<Session[]>;
  revokeAll(userId: string): Promise<Session[]>;
  /** Drops at most `limit` expired sessions from the store (space only; expired ones never resolve anyway). */
  sweep(limit: number): Promise<number>;
}

export interface SessionManagerDeps {
  store: SessionStore;
  clock: Clock;
  ids: IdSource;
  config: Config;
  /**
   * A resolve writes the sliding expiry at most this often (default: min(60 s, idle timeout / 10)).
   * Skipped writes make a session expire up to this much earlier than a precise slide would, never later.
   */
  touchIntervalMs?: number;
}

export const isLive = (record: Session, now: number): boolean => record.idleExpiresAt > now && record.absoluteExpiresAt > now;

export const toSession = (record: SessionRecord): Session => {
  const { tokenHash: _, ...session } = record;
  return session;
};

export const newestFirst = (a: Session, b: Session): number => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1);
