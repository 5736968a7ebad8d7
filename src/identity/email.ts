import { GatehouseError } from '../core/index.js';

// Deliberately loose (RFC 5321 lengths, one @, a dotted domain, no spaces or control characters):
// the only real check of an address is mail reaching it; this one catches typos and garbage.
const SHAPE = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** Trimmed and lower-cased, so one mailbox is one account; throws GH_AUTH_EMAIL_INVALID. */
export function normalizeEmail(raw: unknown): string {
  if (typeof raw !== 'string') throw new GatehouseError('GH_AUTH_EMAIL_INVALID', { details: { field: 'email' } });
  const email = raw.trim().normalize('NFC').toLowerCase();
  const at = email.lastIndexOf('@');
  if (email.length > 254 || at < 1 || at > 64 || !SHAPE.test(email)) {
    throw new GatehouseError('GH_AUTH_EMAIL_INVALID', { details: { field: 'email' } });
  }
  return email;
}

/** Like normalizeEmail, but never throws: login must answer an unknown and a malformed email alike. */
export function tryNormalizeEmail(raw: unknown): string | null {
  try {
    return normalizeEmail(raw);
  } catch {
    return null;
  }
}
