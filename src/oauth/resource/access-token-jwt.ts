import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { GatehouseError, type Clock, type ErrorCode } from '../../core/index.js';
import type { KeyValueStore } from '../../storage/index.js';
import type { OidcSigningKeys } from '../provider/signing-keys.js';

export interface AccessTokenClaims extends JWTPayload {
  client_id?: string;
  scope?: string;
  grant_id?: string;
  cnf?: { jkt?: string };
}

export interface ApiTokenVerifier {
  issuer: string;
  apiResource: string;
  keys: OidcSigningKeys;
  clock: Clock;
  clockToleranceSec: number;
}

/** An `at+jwt` of this issuer (unverified peek), or null for anything else (left to other readers). */
export function peekApiAccessToken(token: string, issuer: string): JWTPayload | null {
  try {
    if (decodeProtectedHeader(token).typ?.toLowerCase() !== 'at+jwt') return null;
    const payload = decodeJwt(token);
    return payload.iss === issuer ? payload : null;
  } catch {
    return null;
  }
}

/**
 * Signature (the one keystore, by kid), issuer, audience (the API resource), type and lifetime of one of
 * this issuer's JWT access tokens (RFC 9068). Throws a GatehouseError with the reason's code.
 */
export async function verifyApiAccessToken(token: string, deps: ApiTokenVerifier): Promise<AccessTokenClaims> {
  const fail = (code: ErrorCode, cause?: unknown) => new GatehouseError(code, { cause });
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch (error) {
    throw fail('GH_TOKEN_MALFORMED', error);
  }
  const key = typeof kid === 'string' ? await deps.keys.verificationKey(kid) : null;
  if (!key) throw fail('GH_TOKEN_KEY_UNKNOWN');
  try {
    const { payload } = await jwtVerify<AccessTokenClaims>(token, key.publicKey, {
      issuer: deps.issuer,
      audience: deps.apiResource,
      typ: 'at+jwt',
      algorithms: [key.alg],
      currentDate: new Date(deps.clock.now()),
      clockTolerance: deps.clockToleranceSec,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw fail('GH_TOKEN_EXPIRED', error);
    throw fail('GH_TOKEN_INVALID', error);
  }
}

/**
 * JWT access tokens are not stored, so revoking one is a deny-list entry (by jti, until it would have
 * expired anyway), and revoking an opaque access token cuts off every JWT access token its grant had
 * issued up to that second. Both live in the shared store, so every node refuses at once.
 */
export interface AccessTokenRevocations {
  revoke(claims: AccessTokenClaims): Promise<void>;
  /** Every access token of `grantId` issued up to now dies (refresh tokens of the grant live on). */
  cutOffGrant(grantId: string, ttlMs: number): Promise<void>;
  isRevoked(claims: AccessTokenClaims): Promise<boolean>;
}

export function createAccessTokenRevocations(kv: KeyValueStore, clock: Clock, toleranceSec: number): AccessTokenRevocations {
  const jtiKey = (jti: string) => `oauth:deny-at:${jti}`;
  const grantKey = (grantId: string) => `oauth:deny-at-grant:${grantId}`;
  return {
    async revoke(claims) {
      if (!claims.jti) return;
      const untilMs = ((claims.exp ?? 0) + toleranceSec) * 1000;
      await kv.set(jtiKey(claims.jti), '1', Math.max(1, untilMs - clock.now()));
    },
    async cutOffGrant(grantId, ttlMs) {
      await kv.set(grantKey(grantId), String(Math.floor(clock.now() / 1000)), ttlMs);
    },
    async isRevoked(claims) {
      if (claims.jti && (await kv.get(jtiKey(claims.jti))) !== null) return true;
      if (!claims.grant_id) return false;
      const cutoff = await kv.get(grantKey(claims.grant_id));
      return cutoff !== null && (claims.iat ?? 0) <= Number(cutoff);
    },
  };
}
