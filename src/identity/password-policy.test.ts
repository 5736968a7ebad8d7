import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/index.js';
import { commonPasswords } from './common-passwords.js';
import { checkPasswordPolicy, passwordLength } from './password-policy.js';

const { config } = loadConfig();
const codeOf = (password: string): string | null => {
  try {
    checkPasswordPolicy(password, config);
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('password policy (ASVS V2.1)', () => {
  it('ships the 10,000 most common passwords as data', () => {
    const list = commonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(9_900);
    expect(list.has('123456')).toBe(true);
    expect(list.has('password')).toBe(true);
  });

  it('needs at least 8 characters', () => {
    expect(codeOf('kq7#vLp')).toBe('GH_AUTH_PASSWORD_TOO_SHORT');
    // Eight characters pass the length rule; the strength estimate is a separate rule.
    expect(codeOf('kq7#vLpz')).not.toBe('GH_AUTH_PASSWORD_TOO_SHORT');
  });

  it('allows 64 characters and more, up to the configured maximum', () => {
    expect(codeOf('correct horse battery staple '.repeat(3).slice(0, 64))).toBeNull();
    expect(codeOf('x'.repeat(120) + 'ab3$efgh')).not.toBe('GH_AUTH_PASSWORD_TOO_LONG'); // 128
    expect(codeOf('y'.repeat(129))).toBe('GH_AUTH_PASSWORD_TOO_LONG');
  });

  it('has no composition rules: all lower-case letters or all spaces-and-words are fine', () => {
    expect(codeOf('mostly lowercase words here')).toBeNull();
    expect(codeOf('quiet lanterns drift')).toBeNull();
  });

  it('rejects common passwords, whatever their case', () => {
    expect(codeOf('password')).toBe('GH_AUTH_PASSWORD_COMMON');
    expect(codeOf('PassWord')).toBe('GH_AUTH_PASSWORD_COMMON');
    expect(codeOf('iloveyou')).toBe('GH_AUTH_PASSWORD_COMMON');
    expect(codeOf('12345678')).toBe('GH_AUTH_PASSWORD_COMMON');
  });

  it('counts code points after NFKC, not UTF-16 units', () => {
    expect(passwordLength('😀😀😀😀')).toBe(4);
    // Four emoji are 8 UTF-16 units but only 4 characters: too short.
    expect(codeOf('😀😀😀😀')).toBe('GH_AUTH_PASSWORD_TOO_SHORT');
    expect(codeOf('😀😀😀😀😀😀😀😀')).not.toBe('GH_AUTH_PASSWORD_TOO_SHORT');
    // Full-width "password" normalises to the common ASCII one.
    expect(codeOf('ｐａｓｓｗｏｒｄ')).toBe('GH_AUTH_PASSWORD_COMMON');
  });

  it('says which limit applied without echoing the password', () => {
    try {
      checkPasswordPolicy('short1', config);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('short1');
      expect((error as { details: unknown }).details).toMatchObject({ field: 'password', minLength: 8 });
    }
  });
});
