import type { Kysely } from 'kysely';
import { GatehouseError } from '../../core/index.js';
import type { Database } from '../../storage/index.js';
import { isUniqueViolation } from '../../identity/index.js';

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  createdAt: number;
  emailVerifiedAt: number | null;
  disabledAt: number | null;
}

const parseRoles = (raw: string): string[] => {
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
};

/** Runs a write to one user's row so the node's user cache drops it (Identity.changingUser). */
type ChangingUser = <T>(userId: string, work: () => Promise<T>) => Promise<T>;

/** The account-state writes of email verification, email change, disable and deletion; each goes through `changing`. */
export function createUserRecords(db: Kysely<Database>, changing: ChangingUser) {
  return {
    /** Records the proof only while the account still has the address that was proven. */
    async markVerified(userId: string, email: string, via: string, now: number): Promise<boolean> {
      const result = await changing(userId, () =>
        db
          .updateTable('users')
          .set({ email_verified_at: now, email_verified_via: via, updated_at: now })
          .where('id', '=', userId)
          .where('email', '=', email)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) === 1;
    },
    /** The new address, already proven by the link it received; GH_AUTH_EMAIL_TAKEN if another account took it meanwhile. */
    async applyEmailChange(userId: string, email: string, now: number): Promise<void> {
      try {
        await changing(userId, () => db.updateTable('users').set({ email, email_verified_at: now, email_verified_via: 'email-link', updated_at: now }).where('id', '=', userId).execute());
      } catch (error) {
        if (isUniqueViolation(error)) throw new GatehouseError('GH_AUTH_EMAIL_TAKEN', { details: { field: 'email' } });
        throw error;
      }
    },
    async setDisabled(userId: string, at: number | null, now: number): Promise<void> {
      const result = await changing(userId, () => db.updateTable('users').set({ disabled_at: at, updated_at: now }).where('id', '=', userId).executeTakeFirst());
      if (Number(result.numUpdatedRows) !== 1) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
    },
    /** Case-insensitive substring of email or name; newest accounts first. */
    async search(query: string, limit: number): Promise<UserSummary[]> {
      let q = db.selectFrom('users').select(['id', 'email', 'name', 'roles', 'created_at', 'email_verified_at', 'disabled_at']).orderBy('created_at', 'desc').limit(limit);
      const term = query.trim().toLowerCase();
      if (term) {
        const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([eb('email', 'like', like), eb(eb.fn('lower', ['name']), 'like', like), eb('id', '=', term)]));
      }
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        email: r.email,
        name: r.name,
        roles: parseRoles(r.roles),
        createdAt: Number(r.created_at),
        emailVerifiedAt: r.email_verified_at == null ? null : Number(r.email_verified_at),
        disabledAt: r.disabled_at == null ? null : Number(r.disabled_at),
      }));
    },
    /**
     * Removes everything that names or describes the person: the user row, their audit trail (IPs, user
     * agents), chat messages, sign-in links, refresh families, OAuth artefacts, second factors, mailed links and the outbox copies of mail to them. The
     * caller writes the tombstone afterwards.
     */
    async deletePersonalData(userId: string, email: string): Promise<void> {
      await changing(userId, () => db.transaction().execute(async (trx) => {
        await trx.deleteFrom('refresh_tokens').where('family_id', 'in', trx.selectFrom('refresh_families').select('id').where('user_id', '=', userId)).execute();
        await trx.deleteFrom('mail_outbox').where('to_address', '=', email).execute();
        await trx.deleteFrom('audit_events').where('user_id', '=', userId).execute();
        await trx.deleteFrom('realtime_messages').where('user_id', '=', userId).execute();
        await trx.deleteFrom('federation_links').where('user_id', '=', userId).execute();
        await trx.deleteFrom('refresh_families').where('user_id', '=', userId).execute();
        await trx.deleteFrom('oauth_models').where('account_id', '=', userId).execute();
        await trx.deleteFrom('account_tokens').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_passkeys').where('user_id', '=', userId).execute();
        await trx.deleteFrom('users').where('id', '=', userId).execute();
      }));
    },
  };
}

export type UserRecords = ReturnType<typeof createUserRecords>;
