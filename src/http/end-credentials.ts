import type { User } from '../identity/index.js';
import type { Principal } from '../core/index.js';
import type { AppContext } from './context.js';

export type EndReason = 'logout-everywhere' | 'password-change' | 'admin' | 'password-reset' | 'account-deleted' | 'account-disabled' | 'second-factor';

export interface EndCredentialsOptions {
  reason: EndReason;
  /** The caller's own credential, kept alive (a password change); omit to end every credential. */
  keep?: Principal['credential'];
}

/**
 * Ends a user's credentials of every kind in one place, so "log out everywhere", a password change,
 * a password reset, an account deletion and an operator's disable cannot drift apart:
 * - bumping the credential version kills every sealed cookie and every OAuth provider browser session
 *   (the provider's account lookup compares the version its login was proven under);
 * - server sessions are deleted here;
 * - the `revoked` event reaches JWT refresh families and their live access tokens (deny-list), every
 *   OAuth grant of every client with its codes, access and refresh tokens (revocation-listeners.ts),
 *   and live sockets on every node (realtime-link.ts).
 * `keep` (a password change) spares the caller's own session, refresh family or sockets of it.
 * Returns the user with the new credential version; throws when any part of the revocation failed.
 */
export async function endCredentials(ctx: Pick<AppContext, 'identity' | 'sessions' | 'events'>, userId: string, options: EndCredentialsOptions): Promise<{ user: User; sessionsEnded: number }> {
  const user = await ctx.identity.bumpCredentialVersion(userId);
  const keepSession = options.keep?.kind === 'session' ? options.keep.id : null;
  const ended = keepSession ? await ctx.sessions.revokeOthers(userId, keepSession) : await ctx.sessions.revokeAll(userId);
  await ctx.events.revoked({ kind: 'user', userId, reason: options.reason, ...(options.keep ? { keep: options.keep } : {}) });
  return { user, sessionsEnded: ended.length };
}
