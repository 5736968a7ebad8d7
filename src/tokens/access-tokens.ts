import { decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { GatehouseError, type Clock, type Config, type IdSource } from '../core/index.js';
import { tokenError } from './challenge.js';
import type { DenyList } from './deny-list.js';
import { jwsSignatureValid } from './jws-signature.js';
import type { Keystore } from './keystore.js';

export interface AccessClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  sid: string;
  scope: string;
  client_id?: string;
  /** The user's profile at issue time, so a resource needs no store read to know who this is. */
  email?: string;
  name?: string | null;
  roles?: string[];
}

export interface TokenProfile {
  email: string;
  name: string | null;
  roles: string[];
}

export interface AccessTokens {
  /** `notAfter` (epoch ms) caps exp, so a token never outlives the refresh family it belongs to. */
  issue(input: { sub: string; sid: string; scope?: string; audience?: string; clientId?: string; notAfter?: number; profile?: TokenProfile }): Promise<{
    token: string;
    expiresIn: number;
    claims: AccessClaims;
  }>;
  /** RFC 8725 checks; throws GH_TOKEN_* (EXPIRED, NOT_YET_VALID, INVALID, MALFORMED, REVOKED, KEY_UNKNOWN). */
  verify(token: string, options?: { audience?: string }): Promise<AccessClaims>;
  /**
   * A token this node has already verified for the first-party audience, checked as `verify` checks a
   * remembered one (time, its key still live, the deny-list); null for any other token, which is not
   * decoded at all. The guard asks this before the OAuth resolver peeks into every bearer token.
   */
  verifyKnown(token: string): Promise<AccessClaims | null>;
}

export interface AccessTokenDeps {
  keystore: Keystore;
  denyList: DenyList;
  clock: Clock;
  ids: IdSource;
  config: Config;
  issuer: string;
  audience: string;
  /** Verified tokens remembered (LRU) so a repeat skips the signature check; 0 turns it off. Default 10 000. */
  cacheSize?: number;
}

interface Verified {
  claims: AccessClaims;
  kid: string;
  nbf: number | undefined;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const DEFAULT_SCOPE = 'api';
// Far above any token we mint; stops a megabyte "token" from being parsed at all.
const MAX_TOKEN_LENGTH = 8_192;
// Header members that would let a token choose its own verification key (RFC 8725 §3.10), or bind us
// to extensions we do not implement.
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'] as const;
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** First-party access tokens (RFC 9068 profile): short-lived, signed by the keystore's current key. */
export function createAccessTokens(deps: AccessTokenDeps): AccessTokens {
  const { keystore, denyList, clock, ids, config } = deps;
  const ttlSec = config.tokens.accessTtlSec;
  const toleranceSec = config.tokens.clockToleranceSec;
  const cacheSize = deps.cacheSize ?? 10_000;
  // A signature, once verified, stays verified: the cache only skips that work. Time, the key still
  // being live and the deny-list are checked on every use, cached or not.
  const verified = new Map<string, Verified>();
  const remember = (cacheKey: string, entry: Verified): void => {
    if (cacheSize <= 0) return;
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
    verified.set(cacheKey, entry);
  };
  // Fail closed: when the deny-list cannot be read, no token is accepted (503, not a silent pass).
  const denied = async (sid: string): Promise<boolean> => {
    try {
      return await denyList.isDenied(sid);
    } catch (error) {
      throw new GatehouseError('GH_STORAGE_UNAVAILABLE', { cause: error });
    }
  };
  const stillValid = async (entry: Verified): Promise<boolean> => {
    const now = Math.floor(clock.now() / 1000);
    if (entry.claims.exp <= now - toleranceSec) return false;
    if (entry.nbf !== undefined && entry.nbf > now + toleranceSec) return false;
    return (await keystore.verificationKey(entry.kid)) !== null;
  };

  // A remembered token: still in time, its key still live, its family not denied (checked on every use);
  // null when not remembered, or when it has expired or its key retired (then it is forgotten, and the
  // full check names the reason).
  const known = async (cacheKey: string): Promise<AccessClaims | null> => {
    const hit = verified.get(cacheKey);
    if (!hit) return null;
    if (!(await stillValid(hit))) {
      verified.delete(cacheKey);
      return null;
    }
    if (await denied(hit.claims.sid)) throw tokenError('GH_TOKEN_REVOKED');
    return { ...hit.claims };
  };

  return {
    async issue(input) {
      const { kid, alg, privateKey } = await keystore.signingKey();
      const iat = Math.floor(clock.now() / 1000);
      let exp = iat + ttlSec;
      if (input.notAfter !== undefined) exp = Math.min(exp, Math.floor(input.notAfter / 1000));
      const claims: AccessClaims = {
        iss: deps.issuer,
        sub: input.sub,
        aud: input.audience ?? deps.audience,
        exp,
        iat,
        jti: ids.uuid(),
        sid: input.sid,
        scope: input.scope ?? DEFAULT_SCOPE,
        ...(input.clientId ? { client_id: input.clientId } : {}),
        ...(input.profile ? { email: input.profile.email, name: input.profile.name, roles: [...input.profile.roles] } : {}),
      };
      const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYPE }).sign(privateKey);
      return { token, expiresIn: Math.max(0, exp - iat), claims };
    },

    verifyKnown: (token) => known(token),

    async verify(token, options = {}) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !JWS_SHAPE.test(token)) throw tokenError('GH_TOKEN_MALFORMED');
      const audience = options.audience ?? deps.audience;
      const cacheKey = audience === deps.audience ? token : `${audience} ${token}`;
      const remembered = await known(cacheKey);
      if (remembered) return remembered;
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch (error) {
        throw tokenError('GH_TOKEN_MALFORMED', { cause: error });
      }
      if (FORBIDDEN_HEADERS.some((name) => name in header)) throw tokenError('GH_TOKEN_INVALID');
      if (typeof header.alg !== 'string' || header.alg === 'none') throw tokenError('GH_TOKEN_INVALID');
      if (typeof header.kid !== 'string') throw tokenError('GH_TOKEN_KEY_UNKNOWN');
      // The key comes only from our own keystore by kid; its algorithm is the only one allowed.
      const key = await keystore.verificationKey(header.kid);
      if (!key) throw tokenError('GH_TOKEN_KEY_UNKNOWN');
      if (header.alg !== key.alg) throw tokenError('GH_TOKEN_INVALID');
      if (!typIs(header.typ, ACCESS_TOKEN_TYPE)) throw tokenError('GH_TOKEN_INVALID');
      if (!jwsSignatureValid(token, key.alg, key.publicKey)) throw tokenError('GH_TOKEN_INVALID');
      const payload = decodePayload(token);
      checkClaims(payload, { issuer: deps.issuer, audience, toleranceSec, nowSec: Math.floor(clock.now() / 1000) });
      const claims = payload as unknown as AccessClaims;
      const badProfile =
        (claims.email !== undefined && typeof claims.email !== 'string') ||
        (claims.roles !== undefined && (!Array.isArray(claims.roles) || claims.roles.some((r) => typeof r !== 'string')));
      if (typeof claims.sid !== 'string' || typeof claims.sub !== 'string' || (claims.scope !== undefined && typeof claims.scope !== 'string') || badProfile) {
        throw tokenError('GH_TOKEN_INVALID');
      }
      const result: AccessClaims = { ...claims, scope: claims.scope ?? '' };
      remember(cacheKey, { claims: result, kid: header.kid, nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined });
      if (await denied(claims.sid)) throw tokenError('GH_TOKEN_REVOKED');
      return { ...result };
    },
  };
}

/** RFC 8725 §3.11 explicit typing; media types compare case-insensitively, `application/` optional. */
function typIs(typ: unknown, expected: string): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === expected;
}

function decodePayload(token: string): JWTPayload {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, token.lastIndexOf('.')), 'base64url').toString('utf8'));
  } catch (error) {
    throw tokenError('GH_TOKEN_MALFORMED', { cause: error });
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw tokenError('GH_TOKEN_MALFORMED');
  return payload as JWTPayload;
}

const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'sid'] as const;

/**
 * The RFC 7519 / RFC 9068 claim checks of a signature-verified payload, in the order jose's jwtVerify
 * made them (so a token wrong in two ways names the same reason): required claims, issuer, audience,
 * the times' types, not-before, expiry, with the clock tolerance.
 */
function checkClaims(payload: JWTPayload, expected: { issuer: string; audience: string; toleranceSec: number; nowSec: number }): void {
  for (const claim of REQUIRED_CLAIMS) if (!(claim in payload)) throw tokenError('GH_TOKEN_INVALID');
  if (payload.iss !== expected.issuer) throw tokenError('GH_TOKEN_INVALID');
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!audiences.includes(expected.audience)) throw tokenError('GH_TOKEN_INVALID');
  const { iat, nbf, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) throw tokenError('GH_TOKEN_INVALID');
  if (nbf !== undefined && nbf > expected.nowSec + expected.toleranceSec) throw tokenError('GH_TOKEN_NOT_YET_VALID');
  if (exp <= expected.nowSec - expected.toleranceSec) throw tokenError('GH_TOKEN_EXPIRED');
}
