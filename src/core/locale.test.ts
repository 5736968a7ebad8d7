import { describe, expect, it } from 'vitest';
import { isLang, preferredLang } from './index.js';

describe('preferredLang', () => {
  it('takes the heaviest language we speak from Accept-Language, the first listed on a tie', () => {
    expect(preferredLang('ko-KR,ko;q=0.9,en-US;q=0.8', undefined)).toBe('ko');
    expect(preferredLang('fr-FR, en;q=0.5, ko;q=0.4', undefined)).toBe('en');
    expect(preferredLang('en;q=0.2, ko;q=0.7', undefined)).toBe('ko');
    expect(preferredLang('ko;q=0.5, en;q=0.5', undefined)).toBe('ko');
    expect(preferredLang(['ko', 'en'], undefined)).toBe('ko');
  });

  it('falls back to English for nothing we speak, a zero weight, garbage or an oversized header', () => {
    expect(preferredLang(undefined, undefined)).toBe('en');
    expect(preferredLang('', undefined)).toBe('en');
    expect(preferredLang('de, fr', undefined)).toBe('en');
    expect(preferredLang('ko;q=0', undefined)).toBe('en');
    expect(preferredLang(';;;,q=,ko;q=abc', undefined)).toBe('en');
    expect(preferredLang(`${'x,'.repeat(600)}ko`, undefined)).toBe('en');
  });

  it('lets the language cookie beat Accept-Language, and ignores a cookie value we do not speak', () => {
    expect(preferredLang('ko', 'en')).toBe('en');
    expect(preferredLang('en', 'ko')).toBe('ko');
    expect(preferredLang('ko', 'fr')).toBe('ko');
    expect(preferredLang(undefined, '<script>')).toBe('en');
  });

  it('lets ui_locales beat the cookie, taking its first tag we speak', () => {
    expect(preferredLang('en', 'en', 'ko-KR en')).toBe('ko');
    expect(preferredLang('ko', 'ko', 'fr EN-gb ko')).toBe('en');
    expect(preferredLang('en', 'ko', 'fr de')).toBe('ko');
    expect(preferredLang('ko', undefined, ['en'])).toBe('ko');
  });
});

describe('isLang', () => {
  it('accepts exactly the languages we speak', () => {
    expect(isLang('en')).toBe(true);
    expect(isLang('ko')).toBe(true);
    expect(isLang('KO')).toBe(false);
    expect(isLang('ko-KR')).toBe(false);
    expect(isLang(undefined)).toBe(false);
  });
});
