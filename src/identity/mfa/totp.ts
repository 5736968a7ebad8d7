import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30 s steps. */
const PERIOD = 30;
const DIGITS = 6;
/** One step either side: a phone whose clock is up to ~30 s off still works, no more. */
const WINDOW = 1;

export const TOTP_CODE = /^\d{6}$/;

/** A new 160-bit shared secret (RFC 4226 §4 recommends 160), base32 as apps expect it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

const totp = (secretBase32: string, label = '', issuer = '') =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secretBase32) });

/** The otpauth:// URI an authenticator app scans. */
export function totpUri(secretBase32: string, issuer: string, account: string): string {
  return totp(secretBase32, account, issuer).toString();
}

/** The code of the step that `now` falls in (tests and the enrolment check use it). */
export function totpCode(secretBase32: string, now: number): string {
  return totp(secretBase32).generate({ timestamp: now });
}

/** The 30 s time-step `now` falls in. */
export function totpStep(now: number): number {
  return Math.floor(now / 1000 / PERIOD);
}

/**
 * The time-step the code belongs to, when it is a valid code near `now` and of a later step than
 * `lastStep` (a code already used, or an older one, is a replay); null otherwise.
 */
export function acceptTotp(secretBase32: string, code: string, now: number, lastStep: number | null): number | null {
  if (!TOTP_CODE.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) return null;
  const step = totpStep(now) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}
