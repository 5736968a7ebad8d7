import type { FastifyReply } from 'fastify';
import type { Principal } from '../core/index.js';
import type { User } from '../identity/index.js';
import type { AppContext } from './context.js';
import { carryRecentAuth, signInKey } from './step-up.js';

/** The sealer and cookie policy, plus what carrying the recent authentication reads. */
export type RenewOwnCookieDeps = Pick<AppContext, 'sealer' | 'cookies' | 'config' | 'kv' | 'clock'>;

/**
 * After endCredentials kept the caller's own credential: a sealed cookie carries the old credential
 * version, so it is re-sealed under the new one (other kinds were spared by `keep`). The sign-in's
 * recent authentication moves with it, so a step-up just proven is not asked again.
 */
export async function renewOwnCookie(ctx: RenewOwnCookieDeps, reply: FastifyReply, principal: Principal, user: User): Promise<void> {
  if (principal.credential.kind !== 'cookie') return;
  const value = await ctx.sealer.seal({ uid: user.id, ver: user.credentialVersion });
  const sealed = await ctx.sealer.unseal(value);
  await carryRecentAuth(ctx, user.id, signInKey(principal.credential), signInKey({ ...principal.credential, issuedAt: sealed.iat * 1000 }));
  void reply.setCookie(ctx.cookies.names.auth, value, ctx.cookies.options('auth', ctx.config.cookies.sealedLifetimeSec));
}
