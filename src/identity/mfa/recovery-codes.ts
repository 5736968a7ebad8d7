import { randomInt } from 'node:crypto';
import { sha256 } from '../../core/index.js';

export const RECOVERY_CODE_COUNT = 10;

// Crockford-style alphabet without look-alikes (no 0/O, 1/I/L): a code is read off paper and typed.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 10;

/** Ten codes of 10 characters (~49 bits each), shown once as `XXXXX-XXXXX`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Case, spaces and dashes do not matter: what the user types is compared as its bare characters. */
export function normalizeRecoveryCode(input: string): string | null {
  const bare = input.toUpperCase().replace(/[\s-]/g, '');
  return bare.length === LENGTH && [...bare].every((c) => ALPHABET.includes(c)) ? bare : null;
}

/**
 * What is stored: the SHA-256 of the normalised code. A code carries ~49 random bits, so a fast hash is
 * enough (nothing to guess from a dictionary), and the lookup stays one indexed equality.
 */
export function recoveryCodeHash(code: string): string | null {
  const bare = normalizeRecoveryCode(code);
  return bare ? sha256(`gatehouse-recovery\n${bare}`) : null;
}
