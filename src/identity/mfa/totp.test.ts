import { describe, expect, it } from 'vitest';
import { Secret } from 'otpauth';
import { acceptTotp, newTotpSecret, totpCode, totpStep, totpUri } from './totp.js';
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes.js';

// RFC 6238 Appendix B: the SHA-1 secret "12345678901234567890"; 8-digit vectors, 6 digits are their tail.
const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32;

describe('TOTP', () => {
  it('matches the RFC 6238 test vectors (6-digit tail)', () => {
    expect(totpCode(RFC_SECRET, 59_000)).toBe('287082');
    expect(totpCode(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(RFC_SECRET, 2_000_000_000_000)).toBe('279037');
  });

  it('accepts the current step and one step either side, nothing further', () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 0, 1, 12, 0, 15);
    expect(acceptTotp(secret, totpCode(secret, now), now, null)).toBe(totpStep(now));
    expect(acceptTotp(secret, totpCode(secret, now - 30_000), now, null)).toBe(totpStep(now) - 1);
    expect(acceptTotp(secret, totpCode(secret, now + 30_000), now, null)).toBe(totpStep(now) + 1);
    expect(acceptTotp(secret, totpCode(secret, now - 90_000), now, null)).toBeNull();
    expect(acceptTotp(secret, 'abcdef', now, null)).toBeNull();
    expect(acceptTotp(secret, '1234567', now, null)).toBeNull();
  });

  it('refuses a code of a step already used, or older (replay)', () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 0, 1, 12, 0, 15);
    const code = totpCode(secret, now);
    const step = acceptTotp(secret, code, now, null)!;
    expect(acceptTotp(secret, code, now, step)).toBeNull();
    expect(acceptTotp(secret, totpCode(secret, now - 30_000), now, step)).toBeNull();
    expect(acceptTotp(secret, totpCode(secret, now + 30_000), now + 30_000, step)).toBe(step + 1);
  });

  it('writes an otpauth URI an app reads back to the same generator', () => {
    const secret = newTotpSecret();
    const uri = totpUri(secret, 'gatehouse', 'ada@example.com');
    expect(uri).toMatch(/^otpauth:\/\/totp\/gatehouse:ada%40example\.com\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(Secret.fromBase32(secret).bytes.length).toBe(20);
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes, each hashing to a distinct value', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(new Set(codes.map(recoveryCodeHash)).size).toBe(10);
  });

  it('compare regardless of case, spaces and dashes; a hash is never the code', () => {
    const [code] = newRecoveryCodes();
    const loose = ` ${code!.toLowerCase().replace('-', ' ')} `;
    expect(recoveryCodeHash(loose)).toBe(recoveryCodeHash(code!));
    expect(recoveryCodeHash(code!)).not.toContain(code!.replace('-', ''));
    expect(normalizeRecoveryCode('short')).toBeNull();
    expect(recoveryCodeHash('O0O0O-I1I1I')).toBeNull();
  });
});
