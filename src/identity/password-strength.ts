import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/** The service's own name: a password built on it is among the first an attacker tries here. */
export const SERVICE_WORDS = ['gatehouse'];

/** zxcvbn's 0–4 scale; 3 is "safely unguessable" against an offline attack on a slow hash. */
export const MIN_STRENGTH_SCORE = 3;

/**
 * The estimator is given its own message keys as "translations", so its feedback comes back as stable
 * codes (`commonPassword`, `anotherWord`, …): clients show them in the user's language, and the API
 * adds the English text for everyone else.
 */
const KEYS = {
  ...en.translations,
  warnings: Object.fromEntries(Object.keys(en.translations.warnings).map((k) => [k, k])) as typeof en.translations.warnings,
  suggestions: Object.fromEntries(Object.keys(en.translations.suggestions).map((k) => [k, k])) as typeof en.translations.suggestions,
};
const english = (table: Record<string, string>, code: string): string => table[code] ?? code;

let estimator: ZxcvbnFactory | undefined;
// Built on first use: the dictionaries take a moment to index, and most processes never need them.
const zxcvbn = (): ZxcvbnFactory =>
  (estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: KEYS }));

export interface StrengthVerdict {
  score: number;
  /** English text of the warning and suggestions. */
  warning: string | null;
  suggestions: string[];
  /** The same as codes (zxcvbn-ts message keys), for clients that translate them. */
  warningCode: string | null;
  suggestionCodes: string[];
}

/** zxcvbn's estimate, told the words of this context (the service name, the user's email parts). */
export function estimateStrength(password: string, contextWords: string[]): StrengthVerdict {
  const result: ZxcvbnResult = zxcvbn().check(password, contextWords);
  const warningCode = result.feedback.warning || null;
  const suggestionCodes = result.feedback.suggestions;
  return {
    score: result.score,
    warning: warningCode && english(en.translations.warnings, warningCode),
    suggestions: suggestionCodes.map((code) => english(en.translations.suggestions, code)),
    warningCode,
    suggestionCodes,
  };
}

/** The user's email split into the words a guesser would try first: local part pieces and domain labels. */
export function emailWords(email: string | undefined): string[] {
  if (!email) return [];
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const words = [local, ...local.split(/[^\p{L}\p{N}]+/u), ...domain.split('.').slice(0, -1)];
  return [...new Set(words.filter((w) => w.length >= 3))];
}
