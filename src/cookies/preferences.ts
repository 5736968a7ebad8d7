import { isLang, preferredLang } from '../core/index.js';
import type { Lang } from '../core/index.js';
import { COOKIE_NAMES } from './names.js';

/** Plain "general info" cookies (the study note's first use of cookies): not secrets, scripts read them. */
export interface Preferences {
  theme: 'light' | 'dark' | 'system';
  lang: Lang;
}

const THEMES = ['light', 'dark', 'system'] as const;
const DEFAULT_THEME: Preferences['theme'] = 'system';

function isTheme(value: unknown): value is Preferences['theme'] {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

export function validatePreference(name: 'theme' | 'lang', value: string): boolean {
  return name === 'theme' ? isTheme(value) : name === 'lang' ? isLang(value) : false;
}

/** The theme cookie, and the language from its cookie or else Accept-Language (core's one rule). */
export function readPreferences(cookies: Record<string, string | undefined>, acceptLanguage?: string): Preferences {
  const theme = cookies[COOKIE_NAMES.theme];
  return {
    theme: isTheme(theme) ? theme : DEFAULT_THEME,
    lang: preferredLang(acceptLanguage, cookies[COOKIE_NAMES.lang]),
  };
}
