import type { Kysely } from 'kysely';
import { GatehouseError, sha256, type Clock, type IdSource } from '../../core/index.js';
import type { Database } from '../../storage/index.js';

export type LinkPurpose = 'verify-email' | 'change-email' | 'reset-password';

export interface ConsumedLink {
  purpose: LinkPurpose;
  userId: string;
  /** The address the link was mailed to. */
  email: string;
}

export interface AccountLinks {
  /**
   * A fresh 256-bit token for a mailed link; earlier unused links of the same purpose for that user
   * stop working (only the newest mail counts). Only the token's SHA-256 is stored.
   */
  issue(input: { purpose: LinkPurpose; userId: string; email: string; ttlMs: number }): Promise<string>;
  /** Marks the link used — once, atomically — and returns it; throws GH_AUTH_LINK_INVALID otherwise. */
  consume(token: unknown, purposes: readonly LinkPurpose[]): Promise<ConsumedLink>;
  /** Forgets every link of a user (account deletion). */
  forgetUser(userId: string): Promise<void>;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

export function createAccountLinks(deps: { db: Kysely<Database>; clock: Clock; ids: IdSource }): AccountLinks {
  const { db, clock, ids } = deps;
  return {
    async issue({ purpose, userId, email, ttlMs }) {
      const now = clock.now();
      await db.updateTable('account_tokens').set({ used_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
      const token = ids.token(32);
      await db.insertInto('account_tokens').values({ token_hash: sha256(token), purpose, user_id: userId, email, created_at: now, expires_at: now + ttlMs, used_at: null }).execute();
      return token;
    },
    async consume(token, purposes) {
      if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) throw new GatehouseError('GH_AUTH_LINK_INVALID');
      const hash = sha256(token);
      const now = clock.now();
      // One UPDATE decides: of two concurrent uses, only one sees a row change.
      const result = await db
        .updateTable('account_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', hash)
        .where('purpose', 'in', [...purposes])
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new GatehouseError('GH_AUTH_LINK_INVALID');
      const row = await db.selectFrom('account_tokens').select(['purpose', 'user_id', 'email']).where('token_hash', '=', hash).executeTakeFirstOrThrow();
      return { purpose: row.purpose as LinkPurpose, userId: row.user_id, email: row.email };
    },
    async forgetUser(userId) {
      await db.deleteFrom('account_tokens').where('user_id', '=', userId).execute();
    },
  };
}
