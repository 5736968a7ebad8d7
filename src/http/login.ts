import type { FastifyRequest } from 'fastify';
import { isGatehouseError } from '../core/index.js';
import type { User } from '../identity/index.js';
import type { AppContext } from './context.js';
import { requestMeta } from './request-meta.js';

export type LoginMode = 'cookie' | 'session' | 'jwt' | 'oauth';

/**
 * The password check every login mode shares: throttle, verify, audit. Unknown email and wrong
 * password fail alike (identity makes them cost the same); the audit keeps the attempt for the
 * account's owner to see when the account exists.
 */
export async function passwordLogin(ctx: AppContext, request: FastifyRequest, input: { email: string; password: string }, mode: LoginMode): Promise<User> {
  const meta = requestMeta(request);
  try {
    const user = await ctx.identity.authenticate({ email: input.email, password: input.password, ip: meta.ip, userAgent: meta.userAgent });
    await ctx.identity.audit.record({ type: 'login.success', userId: user.id, ...meta, data: { mode } });
    return user;
  } catch (error) {
    if (isGatehouseError(error) && error.code === 'GH_AUTH_INVALID_CREDENTIALS') {
      const known = await ctx.identity.findUserByEmail(input.email);
      await ctx.identity.audit.record({ type: 'login.failure', userId: known?.id ?? null, ...meta, data: { mode } });
    }
    throw error;
  }
}
