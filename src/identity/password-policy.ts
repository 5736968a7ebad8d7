import { GatehouseError, type Config } from '../core/index.js';
import { isCommonPassword } from './common-passwords.js';
import { emailWords, estimateStrength, MIN_STRENGTH_SCORE, SERVICE_WORDS } from './password-strength.js';

/** Control, format (zero-width, bidi), private-use, unassigned, line/paragraph separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

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
 * composition rules, not one of the most common passwords, no control or invisible characters (they
 * cannot be typed reliably, or hide what was typed), not whitespace only, not built on the service's
 * name or the user's own email (context-specific words), and strong by zxcvbn's estimate.
 * Throws GH_AUTH_PASSWORD_*.
 */
export function checkPasswordPolicy(password: string, config: Config, context: { email?: string } = {}): void {
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
  if (INVISIBLE.test(normalized)) {
    throw new GatehouseError('GH_AUTH_PASSWORD_CHARACTERS', { details: { field: 'password' } });
  }
  if (normalized.trim() === '') {
    throw new GatehouseError('GH_AUTH_PASSWORD_WEAK', { message: 'The password cannot be only spaces.', details: { field: 'password', reason: 'blank' } });
  }
  if (isCommonPassword(normalized)) {
    throw new GatehouseError('GH_AUTH_PASSWORD_COMMON', { details: { field: 'password' } });
  }
  const words = [...SERVICE_WORDS, ...emailWords(context.email)];
  if (builtOn(normalized, words, minLength)) {
    throw new GatehouseError('GH_AUTH_PASSWORD_WEAK', {
      message: 'The password is built on the name of this service or your email address.',
      details: { field: 'password', reason: 'context' },
    });
  }
  const strength = estimateStrength(normalized, words);
  if (strength.score < MIN_STRENGTH_SCORE) {
    throw new GatehouseError('GH_AUTH_PASSWORD_WEAK', {
      message: strength.warning ? `This password is easy to guess: ${strength.warning}` : 'This password is easy to guess; add more words or characters.',
      details: {
        field: 'password',
        reason: 'guessable',
        score: strength.score,
        warning: strength.warning,
        suggestions: strength.suggestions,
        warningCode: strength.warningCode,
        suggestionCodes: strength.suggestionCodes,
      },
    });
  }
}

/** True when, without the context words, too little of the password is left to protect it. */
function builtOn(password: string, words: string[], minLength: number): boolean {
  let rest = password.toLowerCase();
  let found = false;
  for (const word of words) {
    if (rest.includes(word)) {
      found = true;
      rest = rest.split(word).join('');
    }
  }
  return found && passwordLength(rest.replace(/[^\p{L}\p{N}]/gu, '')) < minLength;
}
