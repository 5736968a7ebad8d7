import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
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
// The one protected header we write, and the only one we accept: RFC 7516 compact serialization with
// `dir` (no encrypted key, so the second part is empty) and A256GCM.
const PROTECTED_HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url');
const AAD = Buffer.from(PROTECTED_HEADER, 'ascii');
const COMPACT = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/;
const IV_BYTES = 12;
/** Opened cookies remembered (oldest leave first): about 2 MB at most. */
const OPENED_SIZE = 10_000;
const TAG_BYTES = 16;

const invalid = (cause?: unknown) => new GatehouseError('GH_AUTH_COOKIE_INVALID', cause === undefined ? {} : { cause });

/**
 * The stateless "cookie mode" credential: a compact JWE (`dir` + A256GCM, authenticated encryption)
 * under a key derived from the instance secret for this purpose only. The server keeps no state for
 * it; revocation comes from the credential version checked against the user record.
 *
 * The JWE is written and read with node:crypto's AES-256-GCM directly rather than through jose: jose
 * runs on WebCrypto, which imports the key and schedules a job on every call, and this runs on every
 * cookie-authenticated request. The format is the same, so cookies sealed by either read with the other
 * (src/cookies/sealer.test.ts checks both ways).
 */
export function createCookieSealer(input: { secret: string; clock: Clock; lifetimeSec: number }): CookieSealer {
  const key = createSecretKey(deriveKey(input.secret, 'gatehouse/sealed-cookie'));
  const { clock, lifetimeSec } = input;
  // Cookies this sealer has opened, by their exact text: authenticated encryption means the same text
  // holds the same claims, so a repeat skips the decryption (a cipher context, the GCM pass and the
  // parse: a tenth of a cookie request). Expiry is still checked on every use; the credential version
  // is the resolver's check against the user, as before.
  const opened = new Map<string, SealedAuth>();
  return {
    async seal({ uid, ver }) {
      const iat = Math.floor(clock.now() / 1000);
      const payload: SealedAuth = { uid, ver, iat, exp: iat + lifetimeSec };
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(AAD);
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
      return `${PROTECTED_HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    async unseal(value) {
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) throw invalid();
      const known = opened.get(value);
      if (known) {
        if (known.exp * 1000 <= clock.now()) throw new GatehouseError('GH_AUTH_COOKIE_EXPIRED');
        return known;
      }
      const parts = COMPACT.exec(value);
      if (!parts) throw invalid();
      const [, header, iv, ciphertext, tag] = parts as unknown as [string, string, string, string, string];
      // Our own header is byte-for-byte the common case; any other spelling must still say exactly
      // dir + A256GCM and nothing else (no crit, no zip: extensions we do not implement).
      if (header !== PROTECTED_HEADER && !isDirA256Gcm(header)) throw invalid();
      let plaintext: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(header, 'ascii'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw invalid(error);
      }
      let claims: Partial<SealedAuth>;
      try {
        claims = JSON.parse(plaintext) as Partial<SealedAuth>;
      } catch (error) {
        throw invalid(error);
      }
      if (claims === null || typeof claims !== 'object') throw invalid();
      const { uid, ver, iat, exp } = claims;
      if (typeof uid !== 'string' || uid.length === 0 || !Number.isSafeInteger(ver) || !Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) throw invalid();
      if (exp! * 1000 <= clock.now()) throw new GatehouseError('GH_AUTH_COOKIE_EXPIRED');
      const sealed: SealedAuth = Object.freeze({ uid, ver: ver!, iat: iat!, exp: exp! });
      if (opened.size >= OPENED_SIZE) opened.delete(opened.keys().next().value!);
      opened.set(value, sealed);
      return sealed;
    },
  };
}

function isDirA256Gcm(encoded: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown;
    if (header === null || typeof header !== 'object' || Array.isArray(header)) return false;
    const keys = Object.keys(header);
    const { alg, enc } = header as Record<string, unknown>;
    return keys.length === 2 && alg === 'dir' && enc === 'A256GCM';
  } catch {
    return false;
  }
}
