import { GatehouseError, type CredentialResolver } from '../../core/index.js';
import type { CookieSealer } from '../../cookies/index.js';
import type { Identity } from '../../identity/index.js';
import { principalFor } from './principal.js';

/**
 * Cookie mode: the sealed cookie carries only the user id, its times and the user's credential
 * version; a bumped version ("log out everywhere", password change) invalidates every copy at once.
 */
export function createSealedCookieResolver(deps: { sealer: CookieSealer; identity: Identity; cookieName: string }): CredentialResolver {
  return {
    kind: 'cookie',
    async resolve(request) {
      const value = request.cookies[deps.cookieName];
      if (!value) return null;
      const sealed = await deps.sealer.unseal(value);
      const user = await deps.identity.getUser(sealed.uid);
      if (!user) throw new GatehouseError('GH_AUTH_COOKIE_INVALID');
      if (user.credentialVersion !== sealed.ver) throw new GatehouseError('GH_AUTH_CREDENTIAL_REVOKED');
      return principalFor(user, { kind: 'cookie', id: null, expiresAt: sealed.exp * 1000, scopes: [], issuedAt: sealed.iat * 1000 });
    },
  };
}
