import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en.js';
import { ko } from './ko.js';
import { format, type Lang, type Messages, type MsgKey } from './messages.js';

const catalogues: Record<Lang, Messages> = { en, ko };

export type Translate = (key: MsgKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const messages = catalogues[lang];
  return (key, vars) => format(messages[key] ?? en[key], vars);
}

/** Whether a key is in the catalogue (the English one defines them all). */
export function hasMessage(key: string): key is MsgKey {
  return Object.hasOwn(en, key);
}

export const I18n = createContext<{ lang: Lang; t: Translate }>({ lang: 'en', t: translator('en') });

export function useI18n(): { lang: Lang; t: Translate } {
  return useContext(I18n);
}
