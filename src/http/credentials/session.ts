import { GatehouseError, type CredentialResolver } from '../../core/index.js';
import type { Identity } from '../../identity/index.js';
import type { SessionManager } from '../../sessions/index.js';
import { principalFor } from './principal.js';

/** Session mode: the opaque id in the session cookie, looked up (and its idle expiry slid) in the store. */
export function createSessionResolver(deps: { sessions: SessionManager; identity: Identity; cookieName: string }): CredentialResolver {
  return {
    kind: 'session',
    async resolve(request) {
      const token = request.cookies[deps.cookieName];
      if (!token) return null;
      const session = await deps.sessions.resolve(token, { slide: !request.passive });
      if (!session) throw new GatehouseError('GH_SESSION_INVALID');
      const user = await deps.identity.getUser(session.userId);
      if (!user) throw new GatehouseError('GH_SESSION_INVALID');
      // Sockets follow both ends: the absolute one, and the idle one (realtime re-checks the session then).
      return principalFor(user, { kind: 'session', id: session.id, expiresAt: session.absoluteExpiresAt, idleExpiresAt: session.idleExpiresAt, scopes: [] });
    },
  };
}
