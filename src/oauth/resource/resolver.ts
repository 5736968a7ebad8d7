import { isGatehouseError, type Clock, type CredentialResolver, type Principal } from '../../core/index.js';
import type { User } from '../../identity/index.js';
import type { KeyValueStore } from '../../storage/index.js';
import type { OidcSigningKeys } from '../provider/signing-keys.js';
import { peekApiAccessToken, verifyApiAccessToken, type AccessTokenClaims, type AccessTokenRevocations } from './access-token-jwt.js';
import { resourceError } from './challenge.js';
import { verifyDpopProof } from './dpop.js';

export interface OauthResolverDeps {
  issuer: string;
  apiResource: string;
  keys: OidcSigningKeys;
  clock: Clock;
  clockToleranceSec: number;
  kv: KeyValueStore;
  getUser(id: string): Promise<User | null>;
  /** True while the grant the token came from still exists (revoking a grant kills its tokens). */
  grantAlive(grantId: string): Promise<boolean>;
  /** Access tokens revoked at the revocation endpoint (by jti) or cut off with their grant's opaque one. */
  revocations: AccessTokenRevocations;
}

/**
 * The resource-server side: a CredentialResolver of kind 'oauth' for the one guard.
 * It claims only `at+jwt` tokens from this issuer — a first-party JWT or anything else is left to the
 * other resolvers — and checks signature (the one keystore), audience (the API resource), expiry,
 * sender constraint (DPoP) and that the user's grant has not been revoked.
 */
export function createOauthResolver(deps: OauthResolverDeps): CredentialResolver {
  return {
    kind: 'oauth',
    async resolve(request) {
      const match = /^(Bearer|DPoP) +([A-Za-z0-9._~+/-]+=*)$/i.exec(request.authorization ?? '');
      if (!match) return null;
      const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
      const token = match[2]!;
      if (!peekApiAccessToken(token, deps.issuer)) return null;

      const fail = (code: Parameters<typeof resourceError>[0], cause?: unknown) => resourceError(code, { scheme, cause });
      let claims: AccessTokenClaims;
      try {
        claims = await verifyApiAccessToken(token, deps);
      } catch (error) {
        throw fail(isGatehouseError(error) ? error.code : 'GH_TOKEN_INVALID', error);
      }

      const jkt = claims.cnf?.jkt;
      if (jkt) {
        // A sender-constrained token presented as a plain bearer token is refused (RFC 9449 §7.1).
        if (scheme !== 'DPoP') throw fail('GH_OAUTH_DPOP_INVALID');
        await verifyDpopProof({ request, accessToken: token, jkt, clock: deps.clock, kv: deps.kv });
      } else if (scheme === 'DPoP') {
        throw fail('GH_TOKEN_INVALID');
      }
      if (claims.grant_id && !(await deps.grantAlive(claims.grant_id))) throw fail('GH_TOKEN_REVOKED');
      if (await deps.revocations.isRevoked(claims)) throw fail('GH_TOKEN_REVOKED');
      if (!claims.grant_id || claims.sub === claims.client_id) throw fail('GH_OAUTH_TOKEN_NO_USER');
      const user = await deps.getUser(claims.sub!);
      if (!user) throw fail('GH_TOKEN_INVALID');
      const principal: Principal = {
        userId: user.id,
        email: user.email,
        name: user.name,
        // A third-party token never carries the user's own roles (an admin's token is not an admin).
        roles: [],
        credential: {
          kind: 'oauth',
          id: claims.grant_id,
          expiresAt: (claims.exp ?? 0) * 1000,
          scopes: (claims.scope ?? '').split(' ').filter(Boolean),
          clientId: claims.client_id!,
        },
      };
      return principal;
    },
  };
}
