import type { CredentialResolver } from '../core/index.js';
import type { AccessTokens } from './access-tokens.js';
import { tokenError } from './challenge.js';

export interface BearerUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
}

const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * The guard's resolver for `Authorization: Bearer <jwt>` (core's CredentialResolver, kind 'jwt'). With
 * `knownOnly` it answers only for a token this node has already verified (every per-use check still
 * runs) and leaves every other request alone, decoding nothing: placed before the OAuth resolver, the
 * repeat requests of a first-party client skip that resolver's peek into the token.
 */
export function createBearerResolver(deps: { accessTokens: AccessTokens; getUser: (id: string) => Promise<BearerUser | null>; knownOnly?: boolean }): CredentialResolver {
  return {
    kind: 'jwt',
    async resolve(request) {
      const header = request.authorization;
      if (!header || !/^bearer\b/i.test(header)) return null;
      const match = BEARER.exec(header);
      if (!match) {
        if (deps.knownOnly) return null;
        throw tokenError('GH_TOKEN_MALFORMED');
      }
      const claims = deps.knownOnly ? await deps.accessTokens.verifyKnown(match[1]!) : await deps.accessTokens.verify(match[1]!);
      if (!claims) return null;
      // A token that carries the profile needs no store read (the point of a self-contained token);
      // role changes reach it at the next refresh, revocations at once through the deny-list.
      const user: BearerUser | null =
        typeof claims.email === 'string' && Array.isArray(claims.roles)
          ? { id: claims.sub, email: claims.email, name: typeof claims.name === 'string' ? claims.name : null, roles: claims.roles }
          : await deps.getUser(claims.sub);
      // Without a profile, a deleted account's tokens die with it, whatever their exp says.
      if (!user) throw tokenError('GH_TOKEN_INVALID');
      return {
        userId: user.id,
        email: user.email,
        name: user.name,
        roles: [...user.roles],
        credential: {
          kind: 'jwt',
          id: claims.sid,
          expiresAt: claims.exp * 1000,
          scopes: claims.scope ? claims.scope.split(' ').filter(Boolean) : [],
          ...(claims.client_id ? { clientId: claims.client_id } : {}),
        },
      };
    },
  };
}
