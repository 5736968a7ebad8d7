import { describe, expect, it } from 'vitest';
import { readPreferences, validatePreference } from './index.js';

describe('preference cookies', () => {
  it('reads valid values and ignores invalid ones', () => {
    expect(readPreferences({ 'gh.theme': 'dark', 'gh.lang': 'ko' })).toEqual({ theme: 'dark', lang: 'ko' });
    expect(readPreferences({ 'gh.theme': '<script>', 'gh.lang': 'fr' })).toEqual({ theme: 'system', lang: 'en' });
    expect(readPreferences({})).toEqual({ theme: 'system', lang: 'en' });
  });

  it('takes the language from Accept-Language when no cookie says', () => {
    expect(readPreferences({}, 'ko-KR,ko;q=0.9,en-US;q=0.8').lang).toBe('ko');
    expect(readPreferences({}, 'fr-FR, en;q=0.5, ko;q=0.4').lang).toBe('en');
    expect(readPreferences({}, 'en;q=0.2, ko;q=0.7').lang).toBe('ko');
    expect(readPreferences({}, 'de, fr').lang).toBe('en');
    expect(readPreferences({}, ';;;,q=,ko;q=abc').lang).toBe('en');
    // The cookie wins over the header.
    expect(readPreferences({ 'gh.lang': 'en' }, 'ko').lang).toBe('en');
  });

  it('validates names and values', () => {
    expect(validatePreference('theme', 'light')).toBe(true);
    expect(validatePreference('theme', 'blue')).toBe(false);
    expect(validatePreference('lang', 'ko')).toBe(true);
    expect(validatePreference('lang', 'KO')).toBe(false);
  });
});
