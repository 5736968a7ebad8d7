import { useI18n } from '../i18n/i18n.js';
import { EMAIL_PATTERN } from '../lib/email.js';

/**
 * An email field that refuses what the server refuses, with the refusal in the page's language rather
 * than the browser's ("Please include an '@'…" in English on a Korean page).
 */
export function EmailInput({ name = 'email', testId, autoComplete = 'email' }: { name?: string; testId: string; autoComplete?: string }) {
  const { t } = useI18n();
  return (
    <input
      name={name}
      type="email"
      required
      maxLength={254}
      pattern={EMAIL_PATTERN}
      autoComplete={autoComplete}
      data-testid={testId}
      onInvalid={(e) => e.currentTarget.setCustomValidity(t('form.email.invalid'))}
      onInput={(e) => e.currentTarget.setCustomValidity('')}
    />
  );
}
