import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { GatehouseError, sha256, type Clock, type Config, type IdSource } from '../core/index.js';
import { deleteBatch, type Database } from '../storage/index.js';
import { DEFAULT_SCOPE } from './access-tokens.js';

export interface RefreshTokens {
  start(input: { userId: string; ip: string | null; userAgent: string | null; scope?: string }): Promise<{ token: string; familyId: string; absoluteExpiresAt: number }>;
  /**
   * Rotates. Same token again inside the grace window, while its successor is still unused → the same
   * successor (a retry after a lost response). Any other reuse → family revoked,
   * GH_TOKEN_REFRESH_REUSED (with familyId/userId in `internal`, for the audit).
   */
  rotate(token: string): Promise<{ token: string; familyId: string; userId: string; scope: string; absoluteExpiresAt: number }>;
  /** The family a (possibly already used) token belongs to, without rotating: for logout. */
  familyOf(token: string): Promise<{ familyId: string; userId: string } | null>;
  revokeFamily(familyId: string, reason?: string): Promise<void>;
  /** Returns the ids of the families it revoked; `exceptFamilyId` (the caller's own sign-in) lives on. */
  revokeUser(userId: string, reason?: string, exceptFamilyId?: string | null): Promise<string[]>;
  /** Deletes at most `limit` families past their idle or absolute end, with their tokens; returns how many. */
  sweep(limit: number): Promise<number>;
  /** Live families of a user (for "signed-in devices" lists). */
  listFamilies(userId: string): Promise<RefreshFamilyView[]>;
}

/** One live sign-in (a device) as the account page lists it. */
export interface RefreshFamilyView {
  id: string;
  createdAt: number;
  lastUsedAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

export interface RefreshTokenDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdSource;
  config: Config;
}

const TOKEN_BYTES = 32;
// 32 bytes in base64url: 43 characters. Anything else is not ours and never reaches the store.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The successor of a token is HMAC(token, salt) with a random salt stored beside the token's hash: a
 * retry inside the grace window recomputes exactly the successor the first request got, while neither
 * a database dump (no token) nor a stolen used token (no salt) is enough to derive it.
 */
function successorOf(token: string, salt: string): string {
  return createHmac('sha256', token).update(salt).digest('base64url');
}

/**
 * Opaque, rotating refresh tokens in families (one family per sign-in; its id is the access tokens'
 * `sid`). Tokens are stored only as SHA-256. Each use rotates with a conditional UPDATE (`used_at IS
 * NULL`), so of two concurrent uses exactly one wins on SQLite and PostgreSQL alike; the other, inside
 * the grace window, gets the same successor; a use after the window revokes the family.
 */
export function createRefreshTokens(deps: RefreshTokenDeps): RefreshTokens {
  const { db, clock, ids, config } = deps;
  const idleMs = config.tokens.refreshIdleSec * 1000;
  const absoluteMs = config.tokens.refreshAbsoluteSec * 1000;
  const graceMs = config.tokens.refreshGraceSec * 1000;

  const revoke = async (familyId: string, reason: string): Promise<void> => {
    await db.updateTable('refresh_families').set({ revoked_at: clock.now(), revoke_reason: reason }).where('id', '=', familyId).where('revoked_at', 'is', null).execute();
  };

  const find = async (token: string) => {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return undefined;
    return db
      .selectFrom('refresh_tokens as t')
      .innerJoin('refresh_families as f', 'f.id', 't.family_id')
      .select(['t.hash', 't.salt', 't.used_at', 't.successor_hash', 'f.id as family_id', 'f.user_id', 'f.scope', 'f.revoked_at', 'f.idle_expires_at', 'f.absolute_expires_at'])
      .where('t.hash', '=', sha256(token))
      .executeTakeFirst();
  };

  return {
    async start(input) {
      const now = clock.now();
      const familyId = ids.uuid();
      const token = ids.token(TOKEN_BYTES);
      const absoluteExpiresAt = now + absoluteMs;
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('refresh_families')
          .values({
            id: familyId,
            user_id: input.userId,
            scope: input.scope ?? DEFAULT_SCOPE,
            ip: input.ip?.slice(0, 64) ?? null,
            user_agent: input.userAgent?.slice(0, 512) ?? null,
            created_at: now,
            last_used_at: now,
            idle_expires_at: Math.min(now + idleMs, absoluteExpiresAt),
            absolute_expires_at: absoluteExpiresAt,
            revoked_at: null,
            revoke_reason: null,
          })
          .execute();
        await trx.insertInto('refresh_tokens').values({ hash: sha256(token), family_id: familyId, salt: ids.token(16), created_at: now, used_at: null, successor_hash: null }).execute();
      });
      return { token, familyId, absoluteExpiresAt };
    },

    async rotate(token) {
      const row = await find(token);
      if (!row || row.revoked_at !== null) throw new GatehouseError('GH_TOKEN_REFRESH_INVALID');
      const now = clock.now();
      if (row.idle_expires_at <= now || row.absolute_expires_at <= now) throw new GatehouseError('GH_TOKEN_REFRESH_EXPIRED');
      const successor = successorOf(token, row.salt);
      const successorHash = sha256(successor);
      const result = { token: successor, familyId: row.family_id, userId: row.user_id, scope: row.scope, absoluteExpiresAt: row.absolute_expires_at };

      if (row.used_at === null) {
        const won = await db.transaction().execute(async (trx) => {
          // The race is decided here: only one UPDATE finds used_at still NULL (PostgreSQL re-checks the
          // condition after the competing transaction commits; SQLite serialises writers).
          const claimed = await trx
            .updateTable('refresh_tokens')
            .set({ used_at: now, successor_hash: successorHash })
            .where('hash', '=', row.hash)
            .where('used_at', 'is', null)
            .executeTakeFirst();
          if (Number(claimed.numUpdatedRows) === 0) return false;
          await trx.insertInto('refresh_tokens').values({ hash: successorHash, family_id: row.family_id, salt: ids.token(16), created_at: now, used_at: null, successor_hash: null }).execute();
          await trx
            .updateTable('refresh_families')
            .set({ last_used_at: now, idle_expires_at: Math.min(now + idleMs, row.absolute_expires_at) })
            .where('id', '=', row.family_id)
            .execute();
          return true;
        });
        if (won) return result;
      }

      // Already used: by a concurrent request (we lost the race) or a retry, or by an attacker.
      const used = await db.selectFrom('refresh_tokens').select(['used_at', 'successor_hash']).where('hash', '=', row.hash).executeTakeFirst();
      const family = await db.selectFrom('refresh_families').select('revoked_at').where('id', '=', row.family_id).executeTakeFirst();
      // Grace covers a response lost on the network: the client never saw the successor, so it cannot
      // have used it. Once the successor has itself been used, a replay of its parent is reuse.
      const successorRow = await db.selectFrom('refresh_tokens').select('used_at').where('hash', '=', successorHash).executeTakeFirst();
      const successorUnused = successorRow !== undefined && successorRow.used_at === null;
      if (used?.used_at != null && used.successor_hash === successorHash && now - used.used_at <= graceMs && family?.revoked_at == null && successorUnused) return result;
      await revoke(row.family_id, 'reuse');
      throw new GatehouseError('GH_TOKEN_REFRESH_REUSED', { internal: { familyId: row.family_id, userId: row.user_id } });
    },

    async familyOf(token) {
      const row = await find(token);
      return row ? { familyId: row.family_id, userId: row.user_id } : null;
    },

    async revokeFamily(familyId, reason = 'logout') {
      await revoke(familyId, reason);
    },

    async revokeUser(userId, reason = 'logout-everywhere', exceptFamilyId = null) {
      const now = clock.now();
      let live = db.selectFrom('refresh_families').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).where('absolute_expires_at', '>', now);
      let update = db.updateTable('refresh_families').set({ revoked_at: now, revoke_reason: reason }).where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (exceptFamilyId) {
        live = live.where('id', '!=', exceptFamilyId);
        update = update.where('id', '!=', exceptFamilyId);
      }
      const ended = await live.execute();
      await update.execute();
      return ended.map((f) => f.id);
    },

    async sweep(limit) {
      const now = clock.now();
      // Their tokens go with them (refresh_tokens.family_id cascades on delete).
      return deleteBatch(db, { table: 'refresh_families', key: ['id'], dead: sql<boolean>`(idle_expires_at <= ${now} or absolute_expires_at <= ${now})`, limit });
    },

    async listFamilies(userId) {
      const now = clock.now();
      const rows = await db
        .selectFrom('refresh_families')
        .select(['id', 'created_at', 'last_used_at', 'idle_expires_at', 'absolute_expires_at', 'ip', 'user_agent'])
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('idle_expires_at', '>', now)
        .where('absolute_expires_at', '>', now)
        .orderBy('last_used_at', 'desc')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
        idleExpiresAt: r.idle_expires_at,
        absoluteExpiresAt: r.absolute_expires_at,
        ip: r.ip,
        userAgent: r.user_agent,
      }));
    },
  };
}
