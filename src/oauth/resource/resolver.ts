import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock, CredentialResolver, Principal } from '../../core/index.js';
import type { User } from '../../identity/index.js';
import type { KeyValueStore } from '../../storage/index.js';
import type { OidcSigningKeys } from '../provider/signing-keys.js';
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
}

interface AccessTokenClaims extends JWTPayload {
  client_id?: string;
  scope?: string;
  grant_id?: string;
  cnf?: { jkt?: string };
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
      let unverified: JWTPayload;
      try {
        if (decodeProtectedHeader(token).typ?.toLowerCase() !== 'at+jwt') return null;
        unverified = decodeJwt(token);
      } catch {
        return null;
      }
      if (unverified.iss !== deps.issuer) return null;

      const fail = (code: Parameters<typeof resourceError>[0], cause?: unknown) => resourceError(code, { scheme, cause });
      const kid = decodeProtectedHeader(token).kid;
      const key = typeof kid === 'string' ? await deps.keys.verificationKey(kid) : null;
      if (!key) throw fail('GH_TOKEN_KEY_UNKNOWN');
      let claims: AccessTokenClaims;
      try {
        ({ payload: claims } = await jwtVerify<AccessTokenClaims>(token, key.publicKey, {
          issuer: deps.issuer,
          audience: deps.apiResource,
          typ: 'at+jwt',
          algorithms: [key.alg],
          currentDate: new Date(deps.clock.now()),
          clockTolerance: deps.clockToleranceSec,
          requiredClaims: ['exp', 'sub', 'client_id'],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw fail('GH_TOKEN_EXPIRED', error);
        throw fail('GH_TOKEN_INVALID', error);
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
