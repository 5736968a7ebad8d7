import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/core/index.js';
import { tryNormalizeEmail } from '../../src/identity/index.js';
import { describeError } from '../../web/src/i18n/error-text.js';
import { en } from '../../web/src/i18n/en.js';
import { hasMessage, translator } from '../../web/src/i18n/i18n.js';
import { ko } from '../../web/src/i18n/ko.js';
import { looksLikeEmail } from '../../web/src/lib/email.js';

const codesIn = (catalogue: Record<string, string>) =>
  Object.keys(catalogue)
    .filter((key) => /^error\.GH_/.test(key) && !key.startsWith('error.GH_WEB_'))
    .map((key) => key.slice('error.'.length))
    .sort();

describe('API errors in the reader’s language', () => {
  it('has an English and a Korean sentence for every code of the registry, and none for codes that do not exist', () => {
    const registry = Object.keys(ERRORS).sort();
    expect(codesIn(en)).toEqual(registry);
    expect(codesIn(ko)).toEqual(registry);
    for (const code of registry) expect(ko[`error.${code}` as keyof typeof ko], code).toMatch(/[가-힣]/);
  });

  it("reads the English from the registry, except where a reader's sentence is written on purpose", () => {
    const rewritten = Object.entries(ERRORS)
      .filter(([code, spec]) => en[`error.${code}` as keyof typeof en] !== spec.message)
      .map(([code]) => code);
    expect(rewritten).toEqual(['GH_CORE_VALIDATION', 'GH_REALTIME_TOO_MANY_SOCKETS']);
    expect(en['error.GH_AUTH_INVALID_CREDENTIALS']).toBe(ERRORS.GH_AUTH_INVALID_CREDENTIALS.message);
  });

  it('shows the Korean sentence instead of the server’s English, and a sentence instead of a validator’s phrase', () => {
    const t = translator('ko');
    expect(describeError({ error: 'GH_AUTH_INVALID_CREDENTIALS', message: 'The email or password is incorrect.' }, t, hasMessage)).toBe('이메일 또는 비밀번호가 올바르지 않습니다.');
    expect(describeError({ error: 'GH_CORE_VALIDATION', message: 'body.email: must match format "email"', field: 'email' }, t, hasMessage)).toBe('이메일 항목을 확인하세요.');
    expect(describeError({ error: 'GH_CORE_VALIDATION', message: 'body: must have required property', field: 'weird' }, t, hasMessage)).toBe(ko['error.GH_CORE_VALIDATION']);
    expect(describeError({ error: 'GH_CORE_VALIDATION', message: 'body.email: x', field: 'email' }, translator('en'), hasMessage)).toBe('Please check the email field.');
    expect(describeError({ error: 'HTTP_502', message: 'Bad Gateway' }, t, hasMessage)).toBe('문제가 생겼습니다 (HTTP_502).');
  });
});

describe('the browser’s email check and the server’s agree', () => {
  it.each(['alice@example.com', 'alice@localhost', 'a@b', 'alice', '@example.com', 'a b@example.com', 'alice@@example.com', 'al.ice+tag@sub.example.co.kr', '  bob@example.org  '])('%s', (address) => {
    expect(looksLikeEmail(address)).toBe(tryNormalizeEmail(address) !== null);
  });
  it('refuses alice@localhost on both sides (a dotless domain receives no mail)', () => {
    expect(looksLikeEmail('alice@localhost')).toBe(false);
    expect(tryNormalizeEmail('alice@localhost')).toBeNull();
  });
});
