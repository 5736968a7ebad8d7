import type { FastifyRequest } from 'fastify';
import { GatehouseError, isGatehouseError } from '../core/index.js';
import type { User } from '../identity/index.js';
import type { AppContext } from './context.js';
import { requestMeta } from './request-meta.js';

export type LoginMode = 'cookie' | 'session' | 'jwt' | 'oauth';

/** RFC 8176 authentication method references, as ID tokens and step-up read them. */
export type Amr = 'pwd' | 'otp' | 'hwk' | 'swk';

/** True when the methods include more than the password (a code or a passkey). */
export const multiFactor = (amr: readonly string[]): boolean => amr.some((m) => m !== 'pwd');

/** What a login's password step ends in: signed in, or a second factor owed. */
export type PasswordStep =
  | { kind: 'signed-in'; user: User; amr: Amr[] }
  | { kind: 'second-factor'; user: User; ticket: string; expiresAt: number; methods: SecondFactorMethodName[] };

/** The second factors a login may offer; a pending login lists those the account has. */
export type SecondFactorMethodName = 'totp' | 'recovery' | 'passkey';

/** What the login steps read: the users (throttle, factors, audit) and the origin passkeys are bound to. */
export type LoginDeps = Pick<AppContext, 'identity' | 'origin'>;

/** The relying party of passkeys: the public origin and its host. */
export const relyingParty = (ctx: Pick<AppContext, 'origin'>) => ({ id: new URL(ctx.origin).hostname, origin: ctx.origin, name: 'gatehouse' });

/**
 * The password check every login mode shares: throttle, verify, audit. Unknown email and wrong
 * password fail alike (identity makes them cost the same); the audit keeps the attempt for the
 * account's owner to see when the account exists.
 */
export async function passwordLogin(ctx: LoginDeps, request: FastifyRequest, input: { email: string; password: string }, mode: LoginMode): Promise<User> {
  const meta = requestMeta(request);
  try {
    return await ctx.identity.authenticate({ email: input.email, password: input.password, ip: meta.ip, userAgent: meta.userAgent });
  } catch (error) {
    if (isGatehouseError(error) && error.code === 'GH_AUTH_INVALID_CREDENTIALS') {
      const known = await ctx.identity.findUserByEmail(input.email);
      await ctx.identity.audit.record({ type: 'login.failure', userId: known?.id ?? null, ...meta, data: { mode } });
    }
    throw error;
  }
}

/**
 * A login's first step in every mode. Without a second factor the user is signed in; with one, the
 * caller gets only a pending-login ticket for `mode` (and `bind`, the OAuth interaction), never a
 * credential: the mode's second step exchanges ticket + code for it.
 */
export async function passwordStep(ctx: LoginDeps, request: FastifyRequest, input: { email: string; password: string }, mode: LoginMode, bind: string | null = null): Promise<PasswordStep> {
  const user = await passwordLogin(ctx, request, input, mode);
  const meta = requestMeta(request);
  if (!(await ctx.identity.factors.enrolled(user.id))) {
    await ctx.identity.audit.record({ type: 'login.success', userId: user.id, ...meta, data: { mode, amr: ['pwd'] } });
    return { kind: 'signed-in', user, amr: ['pwd'] };
  }
  const pending = await ctx.identity.pendingLogins.issue({ userId: user.id, mode, credentialVersion: user.credentialVersion, bind });
  await ctx.identity.audit.record({ type: 'login.second-factor.required', userId: user.id, ...meta, data: { mode } });
  const status = await ctx.identity.factors.status(user.id);
  const methods: SecondFactorMethodName[] = [...(status.totp ? (['totp', 'recovery'] as const) : []), ...(status.passkeys > 0 ? (['passkey'] as const) : [])];
  return { kind: 'second-factor', user, ...pending, methods };
}

/**
 * A login's second step: the pending ticket of this mode plus a TOTP or recovery code (throttled as
 * `second-factor`). The ticket is consumed once the code is right, before any credential exists; a
 * password change or disable since the first step voids it.
 */
export async function secondFactorStep(
  ctx: LoginDeps,
  request: FastifyRequest,
  input: { ticket: string; code?: string | undefined; ceremony?: string | undefined; passkey?: unknown },
  mode: LoginMode,
  bind: string | null = null,
): Promise<{ user: User; amr: Amr[] }> {
  const meta = requestMeta(request);
  const pending = await ctx.identity.pendingLogins.read(input.ticket, mode, bind);
  const user = await ctx.identity.getUser(pending.userId);
  if (!user || user.credentialVersion !== pending.credentialVersion || user.disabledAt != null) {
    await ctx.identity.pendingLogins.consume(input.ticket).catch(() => {});
    throw new GatehouseError('GH_MFA_TICKET_INVALID');
  }
  let method: 'otp' | 'recovery' | 'hwk' | 'swk';
  try {
    if (input.passkey !== undefined) {
      const proven = await ctx.identity.passkeys.authenticate({ ceremony: input.ceremony, response: input.passkey, rp: relyingParty(ctx) });
      // Another account's passkey is no second factor of this one.
      if (proven.userId !== user.id) throw new GatehouseError('GH_MFA_PASSKEY_INVALID');
      method = proven.amr;
    } else {
      method = await ctx.identity.factors.verify({ user, code: input.code ?? '', ip: meta.ip });
    }
  } catch (error) {
    if (isGatehouseError(error) && error.statusCode === 401) {
      await ctx.identity.pendingLogins.failed(input.ticket);
      await ctx.identity.audit.record({ type: 'login.second-factor.failure', userId: user.id, ...meta, data: { mode, reason: error.code } });
      if (error.code === 'GH_MFA_PASSKEY_COUNTER') throw new GatehouseError('GH_MFA_PASSKEY_COUNTER');
    }
    throw error;
  }
  await ctx.identity.pendingLogins.consume(input.ticket);
  if (method === 'recovery') {
    const left = (await ctx.identity.factors.status(user.id)).recoveryCodesLeft;
    await ctx.identity.audit.record({ type: 'mfa.recovery-code.used', userId: user.id, ...meta, data: { mode, left } });
  }
  const amr: Amr[] = ['pwd', method === 'recovery' ? 'otp' : method];
  await ctx.identity.audit.record({ type: 'login.success', userId: user.id, ...meta, data: { mode, amr, secondFactor: method } });
  return { user, amr };
}

/**
 * Sign-in with a passkey alone (a discoverable credential): possession of the authenticator and its
 * user verification, no password. A counter that did not advance (a cloned authenticator) is refused
 * and audited in the owner's log.
 */
export async function passkeyLogin(ctx: LoginDeps, request: FastifyRequest, input: { ceremony: string; response: unknown }, mode: LoginMode): Promise<{ user: User; amr: Amr[] }> {
  const meta = requestMeta(request);
  let proven;
  try {
    proven = await ctx.identity.passkeys.authenticate({ ceremony: input.ceremony, response: input.response, rp: relyingParty(ctx), requireUserVerification: true });
  } catch (error) {
    const owner = isGatehouseError(error) && typeof error.internal?.userId === 'string' ? error.internal.userId : null;
    if (isGatehouseError(error) && error.statusCode === 401) {
      await ctx.identity.audit.record({ type: 'login.failure', userId: owner, ...meta, data: { mode, via: 'passkey', reason: error.code } });
      // The owner's id was for the audit trail only.
      throw new GatehouseError(error.code);
    }
    throw error;
  }
  const user = await ctx.identity.getUser(proven.userId);
  if (!user) throw new GatehouseError('GH_MFA_PASSKEY_INVALID');
  if (user.disabledAt != null) throw new GatehouseError('GH_AUTH_ACCOUNT_DISABLED');
  const amr: Amr[] = [proven.amr];
  await ctx.identity.audit.record({ type: 'login.success', userId: user.id, ...meta, data: { mode, amr, via: 'passkey' } });
  return { user, amr };
}
