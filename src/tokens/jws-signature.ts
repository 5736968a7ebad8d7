import { KeyObject, verify } from 'node:crypto';
import type { CryptoKey } from 'jose';

// How node:crypto checks each signing algorithm the keystore issues (RFC 7518 §3, RFC 8037):
// Ed25519 hashes internally; ES256 signatures are the raw r‖s (IEEE P1363), not DER.
const CHECKS: Readonly<Record<string, { digest: string | null; dsaEncoding?: 'ieee-p1363' }>> = {
  EdDSA: { digest: null },
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' },
  RS256: { digest: 'sha256' },
};

// One KeyObject per keystore key: converting a CryptoKey is not free, and the keystore hands out the
// same CryptoKey object for a kid for as long as the key is live.
const keyObjects = new WeakMap<object, KeyObject>();

/**
 * Whether the compact JWS `token` carries a valid `alg` signature by `publicKey` over its signing
 * input (header.payload). Synchronous node:crypto rather than WebCrypto: a bearer token is checked on
 * every request that carries one the verification cache has not seen, and WebCrypto adds a key
 * normalisation and a thread-pool job to each check. The caller has already checked the token's shape
 * and that `alg` is the key's own algorithm; an algorithm not listed here never verifies.
 */
export function jwsSignatureValid(token: string, alg: string, publicKey: CryptoKey): boolean {
  const check = CHECKS[alg];
  if (!check) return false;
  const lastDot = token.lastIndexOf('.');
  let key = keyObjects.get(publicKey);
  if (!key) {
    key = KeyObject.from(publicKey);
    keyObjects.set(publicKey, key);
  }
  try {
    const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
    const input = Buffer.from(token.slice(0, lastDot), 'ascii');
    return verify(check.digest, input, check.dsaEncoding ? { key, dsaEncoding: check.dsaEncoding } : key, signature);
  } catch {
    return false;
  }
}
