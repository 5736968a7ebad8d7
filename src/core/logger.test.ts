// A request's URL is logged on every request; the credentials some URLs carry (an OAuth callback's code,
// a token in a mailed link) must not come with it.
import { describe, expect, it } from 'vitest';
import { redactUrl } from './logger.js';

describe('redactUrl', () => {
  it.each([
    ['/api/auth/federation/b/callback?code=SECRET&state=STATE', '/api/auth/federation/b/callback?code=[redacted]&state=[redacted]'],
    ['/cb?iss=x&CODE=SECRET#frag', '/cb?iss=x&CODE=[redacted]#frag'],
    ['/verify?token=SECRET', '/verify?token=[redacted]'],
    ['/plain/path?q=code=1', '/plain/path?q=code=1'],
    ['/encode?barcode=1&code=SECRET', '/encode?barcode=1&code=[redacted]'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
