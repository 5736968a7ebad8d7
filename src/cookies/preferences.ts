import { COOKIE_NAMES } from './names.js';

/** Plain "general info" cookies (the study note's first use of cookies): not secrets, scripts read them. */
export interface Preferences {
  theme: 'light' | 'dark' | 'system';
  lang: 'en' | 'ko';
}

const THEMES = ['light', 'dark', 'system'] as const;
const LANGS = ['en', 'ko'] as const;
const DEFAULTS: Preferences = { theme: 'system', lang: 'en' };

export function validatePreference(name: 'theme' | 'lang', value: string): boolean {
  const allowed: readonly string[] = name === 'theme' ? THEMES : name === 'lang' ? LANGS : [];
  return typeof value === 'string' && allowed.includes(value);
}

/** The best of our languages for an Accept-Language header (RFC 9110 12.5.4), or null. */
function fromAcceptLanguage(header: string | undefined): Preferences['lang'] | null {
  if (!header || header.length > 1024) return null;
  let best: Preferences['lang'] | null = null;
  let bestQ = 0;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const primary = tag?.trim().toLowerCase().split('-')[0] ?? '';
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    // Equal weights keep the header's order: the first listed wins.
    if (Number.isFinite(q) && q > bestQ && validatePreference('lang', primary)) {
      best = primary as Preferences['lang'];
      bestQ = q;
    }
  }
  return best;
}

export function readPreferences(cookies: Record<string, string | undefined>, acceptLanguage?: string): Preferences {
  const theme = cookies[COOKIE_NAMES.theme];
  const lang = cookies[COOKIE_NAMES.lang];
  return {
    theme: theme !== undefined && validatePreference('theme', theme) ? (theme as Preferences['theme']) : DEFAULTS.theme,
    lang: lang !== undefined && validatePreference('lang', lang) ? (lang as Preferences['lang']) : (fromAcceptLanguage(acceptLanguage) ?? DEFAULTS.lang),
  };
}
