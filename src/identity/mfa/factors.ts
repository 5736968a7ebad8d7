import type { Kysely } from 'kysely';
import { GatehouseError, type Clock } from '../../core/index.js';
import type { Database } from '../../storage/index.js';
import type { LoginThrottle } from '../types.js';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes.js';
import { acceptTotp, newTotpSecret, totpUri } from './totp.js';

/** Which factor a code proved: a TOTP code (`otp`) or one of the recovery codes. */
export type SecondFactorMethod = 'otp' | 'recovery';

export interface FactorStatus {
  /** A confirmed authenticator app: sign-ins ask for a code. */
  totp: boolean;
  /** An enrolment started and not yet confirmed with a code. */
  totpPending: boolean;
  recoveryCodesLeft: number;
  /** Registered passkeys (WebAuthn); each can be the second factor, or sign in alone. */
  passkeys: number;
}

export interface CodeCheck {
  user: { id: string; email: string };
  code: string;
  ip: string;
}

export interface SecondFactors {
  status(userId: string): Promise<FactorStatus>;
  /** True when a sign-in must give a second factor. */
  enrolled(userId: string): Promise<boolean>;
  /** A fresh secret, kept unconfirmed until `confirmTotp`; replaces an earlier unconfirmed one. */
  startTotp(user: { id: string; email: string }, issuer: string): Promise<{ secret: string; uri: string }>;
  /** The first code from the app turns the secret on; returns the ten recovery codes (shown once). */
  confirmTotp(input: CodeCheck): Promise<{ recoveryCodes: string[] }>;
  /**
   * Checks a TOTP code or a recovery code through the shared throttle (kind `second-factor`). A TOTP
   * code of an already-used time-step and a used recovery code are refused. Throws GH_MFA_CODE_INVALID.
   */
  verify(input: CodeCheck): Promise<SecondFactorMethod>;
  /** Ten new codes; the old ones stop working. */
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  /** Removes the authenticator app and the recovery codes (the user turning TOTP off). */
  removeTotp(userId: string): Promise<void>;
  /** Removes every factor, passkeys included (an operator's reset). */
  removeAll(userId: string): Promise<void>;
}

/**
 * TOTP (RFC 6238) and recovery codes over SQL. Both single-use rules are conditional updates, so two
 * nodes given the same code at once cannot both accept it.
 */
export function createSecondFactors(deps: { db: Kysely<Database>; clock: Clock; throttle: LoginThrottle }): SecondFactors {
  const { db, clock, throttle } = deps;
  const totpRow = (userId: string) => db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
  const confirmed = async (userId: string) => {
    const row = await totpRow(userId);
    return row && row.confirmed_at != null ? row : null;
  };
  const passkeyCount = async (userId: string) => {
    const row = await db.selectFrom('mfa_passkeys').select((eb) => eb.fn.countAll<string | number>().as('n')).where('user_id', '=', userId).executeTakeFirst();
    return Number(row?.n ?? 0);
  };
  const codesLeft = async (userId: string) => {
    const row = await db
      .selectFrom('mfa_recovery_codes')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  };
  const replaceRecoveryCodes = async (userId: string): Promise<string[]> => {
    const codes = newRecoveryCodes();
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('mfa_recovery_codes')
        .values(codes.map((code) => ({ user_id: userId, code_hash: recoveryCodeHash(code)!, created_at: now, used_at: null })))
        .execute();
    });
    return codes;
  };
  /** Takes the code's time-step only if no code of that step or a later one was taken before. */
  const takeStep = async (userId: string, step: number): Promise<boolean> => {
    const result = await db
      .updateTable('mfa_totp')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  };
  const useRecoveryCode = async (userId: string, code: string): Promise<boolean> => {
    const hash = recoveryCodeHash(code);
    if (!hash) return false;
    const result = await db
      .updateTable('mfa_recovery_codes')
      .set({ used_at: clock.now() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  };
  const throttled = async (input: CodeCheck, check: () => Promise<boolean>): Promise<void> => {
    const attempt = await throttle.reserve({ email: input.user.email, ip: input.ip, kind: 'second-factor', userId: input.user.id });
    if (!(await check())) {
      await attempt.fail(input.user.id);
      throw new GatehouseError('GH_MFA_CODE_INVALID');
    }
    await attempt.succeed();
  };
  const code = (raw: unknown) => (typeof raw === 'string' ? raw.trim().slice(0, 64) : '');

  return {
    async status(userId) {
      const row = await totpRow(userId);
      return {
        totp: row?.confirmed_at != null,
        totpPending: row != null && row.confirmed_at == null,
        recoveryCodesLeft: await codesLeft(userId),
        passkeys: await passkeyCount(userId),
      };
    },

    async enrolled(userId) {
      return (await confirmed(userId)) !== null || (await passkeyCount(userId)) > 0;
    },

    async startTotp(user, issuer) {
      if (await confirmed(user.id)) throw new GatehouseError('GH_MFA_ALREADY_ENROLLED');
      const secret = newTotpSecret();
      await db.deleteFrom('mfa_totp').where('user_id', '=', user.id).where('confirmed_at', 'is', null).execute();
      await db.insertInto('mfa_totp').values({ user_id: user.id, secret, created_at: clock.now(), confirmed_at: null, last_step: null }).execute();
      return { secret, uri: totpUri(secret, issuer, user.email) };
    },

    async confirmTotp(input) {
      const row = await totpRow(input.user.id);
      if (!row) throw new GatehouseError('GH_MFA_ENROLMENT_MISSING');
      if (row.confirmed_at != null) throw new GatehouseError('GH_MFA_ALREADY_ENROLLED');
      await throttled(input, async () => {
        const step = acceptTotp(row.secret, code(input.code), clock.now(), null);
        if (step === null) return false;
        // Only the enrolment that was shown is turned on (a second start meanwhile replaced the secret).
        const result = await db
          .updateTable('mfa_totp')
          .set({ confirmed_at: clock.now(), last_step: step })
          .where('user_id', '=', input.user.id)
          .where('secret', '=', row.secret)
          .where('confirmed_at', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
      return { recoveryCodes: await replaceRecoveryCodes(input.user.id) };
    },

    async verify(input) {
      const row = await confirmed(input.user.id);
      if (!row) throw new GatehouseError('GH_MFA_NOT_ENROLLED');
      const given = code(input.code);
      let method: SecondFactorMethod = 'otp';
      await throttled(input, async () => {
        const step = acceptTotp(row.secret, given, clock.now(), row.last_step == null ? null : Number(row.last_step));
        if (step !== null) return takeStep(input.user.id, step);
        method = 'recovery';
        return useRecoveryCode(input.user.id, given);
      });
      return method;
    },

    async regenerateRecoveryCodes(userId) {
      if (!(await confirmed(userId))) throw new GatehouseError('GH_MFA_NOT_ENROLLED');
      return replaceRecoveryCodes(userId);
    },

    async removeTotp(userId) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
      });
    },

    async removeAll(userId) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_passkeys').where('user_id', '=', userId).execute();
      });
    },
  };
}
