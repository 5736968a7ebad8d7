import { GatehouseError, type Config } from '../core/index.js';
import { isCommonPassword } from './common-passwords.js';

/**
 * NFKC, so the same password typed on another keyboard or OS (full-width digits, composed accents)
 * hashes the same (NIST SP 800-63B 5.1.1.2).
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in code points, not UTF-16 units: an emoji is one character to the person typing it. */
export function passwordLength(password: string): number {
  let n = 0;
  for (const _ of password) n++;
  return n;
}

/**
 * OWASP ASVS V2.1: at least `minLength` (8) characters, at most `maxLength` (≥ 64) allowed, no
 * composition rules, and not one of the most common passwords. Throws GH_AUTH_PASSWORD_*.
 */
export function checkPasswordPolicy(password: string, config: Config): void {
  if (typeof password !== 'string') {
    throw new GatehouseError('GH_AUTH_PASSWORD_TOO_SHORT', { details: { field: 'password' } });
  }
  const normalized = normalizePassword(password);
  const { minLength, maxLength } = config.passwords;
  const length = passwordLength(normalized);
  if (length < minLength) {
    throw new GatehouseError('GH_AUTH_PASSWORD_TOO_SHORT', {
      message: `The password must be at least ${minLength} characters long.`,
      details: { field: 'password', minLength },
    });
  }
  if (length > maxLength) {
    throw new GatehouseError('GH_AUTH_PASSWORD_TOO_LONG', {
      message: `The password must be at most ${maxLength} characters long.`,
      details: { field: 'password', maxLength },
    });
  }
  if (isCommonPassword(normalized)) {
    throw new GatehouseError('GH_AUTH_PASSWORD_COMMON', { details: { field: 'password' } });
  }
}
