import { describe, expect, it } from 'vitest';
import { parseCookieHeader } from './index.js';

describe('parseCookieHeader', () => {
  it('maps names to decoded values, the first occurrence winning', () => {
    expect(parseCookieHeader('gh.lang=ko; gh.theme=dark; x=%E2%9C%93; gh.lang=en')).toEqual({ 'gh.lang': 'ko', 'gh.theme': 'dark', x: '✓' });
  });

  it('unquotes values, keeps bad percent-encoding as sent, and skips parts without a name', () => {
    expect(parseCookieHeader('a="b c"; bad=%E2%9C; novalue; =v; ;')).toEqual({ a: 'b c', bad: '%E2%9C' });
  });

  it('reads an absent or empty header as no cookies', () => {
    expect(parseCookieHeader(undefined)).toEqual({});
    expect(parseCookieHeader('')).toEqual({});
  });
});
