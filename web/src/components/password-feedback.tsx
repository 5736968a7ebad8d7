import type { ApiError } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';
import { en } from '../i18n/en.js';

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const known = (key: string): key is MsgKey => key in en;

/** True for the server's refusals of a new password, which this component explains. */
export function isPasswordRefusal(error: ApiError | null | undefined): boolean {
  return !!error && /^GH_AUTH_PASSWORD_(WEAK|COMMON|CHARACTERS|TOO_SHORT|TOO_LONG)$/.test(error.error);
}

/**
 * Why the server refused a new password, in the user's language: the refusal, the strength estimator's
 * warning and its suggestions come as codes (never as English text to show) and are translated here,
 * so the page needs no estimator or dictionaries of its own.
 */
export function PasswordFeedback({ error }: { error: ApiError }) {
  const { t } = useI18n();
  const reason = typeof error.reason === 'string' ? error.reason : '';
  const refusal = [`pw.refused.${error.error}.${reason}`, `pw.refused.${error.error}`].find(known);
  const warning = typeof error.warningCode === 'string' ? `pw.warning.${error.warningCode}` : '';
  const given = strings(error.suggestionCodes).map((code) => `pw.suggestion.${code}`);
  const fallback = reason === 'context' ? ['pw.suggestion.unrelated'] : error.error === 'GH_AUTH_PASSWORD_COMMON' ? ['pw.suggestion.useWords'] : [];
  const suggestions = (given.length ? given : fallback).filter(known);
  const vars = { minLength: String(error.minLength ?? 8), maxLength: String(error.maxLength ?? 128) };
  return (
    <div class="notice notice-error" role="alert" data-testid="password-feedback">
      <p data-testid="password-refusal">{refusal ? t(refusal, vars) : error.message}</p>
      {known(warning) && <p data-testid="password-warning">{t(warning)}</p>}
      {suggestions.length > 0 && (
        <>
          <p class="hint">{t('pw.suggestionsTitle')}</p>
          <ul>
            {suggestions.map((key) => (
              <li key={key} data-testid="password-suggestion">
                {t(key)}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
