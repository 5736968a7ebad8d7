import { CompactEncrypt, compactDecrypt } from 'jose';
import { GatehouseError, deriveKey, type Clock } from '../core/index.js';

/** What the sealed cookie holds, and nothing more (times in seconds). */
export interface SealedAuth {
  uid: string;
  /** The user's credentialVersion when sealed: a password change or "log out everywhere" outdates it. */
  ver: number;
  iat: number;
  exp: number;
}

export interface CookieSealer {
  seal(payload: { uid: string; ver: number }): Promise<string>;
  /** Throws GH_AUTH_COOKIE_INVALID (tampered, garbage, other key) or GH_AUTH_COOKIE_EXPIRED (by the clock). */
  unseal(value: string): Promise<SealedAuth>;
}

// Browsers cap a cookie near 4 KiB; anything longer is not ours and is refused before any crypto.
const MAX_LENGTH = 4096;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const invalid = (cause?: unknown) => new GatehouseError('GH_AUTH_COOKIE_INVALID', cause === undefined ? {} : { cause });

/**
 * The stateless "cookie mode" credential: a compact JWE (`dir` + A256GCM, authenticated encryption)
 * under a key derived from the instance secret for this purpose only. The server keeps no state for
 * it; revocation comes from the credential version checked against the user record.
 */
export function createCookieSealer(input: { secret: string; clock: Clock; lifetimeSec: number }): CookieSealer {
  const key = deriveKey(input.secret, 'gatehouse/sealed-cookie');
  const { clock, lifetimeSec } = input;
  return {
    async seal({ uid, ver }) {
      const iat = Math.floor(clock.now() / 1000);
      const payload: SealedAuth = { uid, ver, iat, exp: iat + lifetimeSec };
      return new CompactEncrypt(encoder.encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
    },
    async unseal(value) {
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH || value.split('.').length !== 5) throw invalid();
      let plaintext: Uint8Array;
      try {
        ({ plaintext } = await compactDecrypt(value, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] }));
      } catch (error) {
        throw invalid(error);
      }
      let claims: Partial<SealedAuth>;
      try {
        claims = JSON.parse(decoder.decode(plaintext)) as Partial<SealedAuth>;
      } catch (error) {
        throw invalid(error);
      }
      const { uid, ver, iat, exp } = claims;
      if (typeof uid !== 'string' || uid.length === 0 || !Number.isSafeInteger(ver) || !Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) throw invalid();
      if (exp! * 1000 <= clock.now()) throw new GatehouseError('GH_AUTH_COOKIE_EXPIRED');
      return { uid, ver: ver!, iat: iat!, exp: exp! };
    },
  };
}
