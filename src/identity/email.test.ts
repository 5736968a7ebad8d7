import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './index.js';

describe('email normalisation', () => {
  it('trims and lower-cases, so one mailbox is one account', () => {
    expect(normalizeEmail('  Ada.Lovelace+gh@Example.COM\t')).toBe('ada.lovelace+gh@example.com');
    expect(normalizeEmail('사용자@예시.한국')).toBe('사용자@예시.한국');
  });

  it.each([
    ['', 'empty'],
    ['plainaddress', 'no @'],
    ['@example.com', 'no local part'],
    ['a@b', 'no dot in the domain'],
    ['a b@example.com', 'space'],
    ['a@@example.com', 'two @'],
    ['a\u0000@example.com', 'control character'],
    [`${'x'.repeat(65)}@example.com`, 'local part over 64'],
    [`a@${'d'.repeat(250)}.com`, 'over 254 in all'],
  ])('rejects %j (%s) with GH_AUTH_EMAIL_INVALID', (input) => {
    expect(() => normalizeEmail(input)).toThrow(expect.objectContaining({ code: 'GH_AUTH_EMAIL_INVALID', details: { field: 'email' } }));
  });

  it('rejects a non-string', () => {
    expect(() => normalizeEmail(42)).toThrow(expect.objectContaining({ code: 'GH_AUTH_EMAIL_INVALID' }));
    expect(() => normalizeEmail(undefined)).toThrow(expect.objectContaining({ code: 'GH_AUTH_EMAIL_INVALID' }));
  });
});
