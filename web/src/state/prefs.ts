import { api } from '../api/client.js';
import type { Preferences } from '../api/types.js';
import { readCookie } from '../lib/cookies.js';
import { createStore } from './store.js';

// Language and theme: plain, script-readable preference cookies (the note's "general information"),
// written by the server through PUT /api/preferences so both sides agree on their flags.

export type Theme = Preferences['theme'];
/** The server's preference answer, which the page also reads from the cookies before asking. */
export type Prefs = Preferences;

function initial(): Prefs {
  const lang = readCookie(document.cookie, 'gh.lang');
  const theme = readCookie(document.cookie, 'gh.theme');
  return {
    lang: lang === 'ko' || lang === 'en' ? lang : navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en',
    theme: theme === 'light' || theme === 'dark' ? theme : 'system',
  };
}

export const prefs = createStore<Prefs>(initial());

function apply(value: Prefs): void {
  document.documentElement.lang = value.lang;
  if (value.theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = value.theme;
}

apply(prefs.get());
prefs.subscribe(apply);

export async function loadPrefs(): Promise<void> {
  const result = await api<Prefs>('GET', '/api/preferences');
  if (result.ok && result.data) prefs.set({ lang: result.data.lang === 'ko' ? 'ko' : 'en', theme: result.data.theme ?? 'system' });
}

export async function savePrefs(change: Partial<Prefs>): Promise<void> {
  prefs.set((current) => ({ ...current, ...change }));
  const result = await api<Prefs>('PUT', '/api/preferences', change);
  if (result.ok && result.data) prefs.set({ lang: result.data.lang === 'ko' ? 'ko' : 'en', theme: result.data.theme ?? 'system' });
}
