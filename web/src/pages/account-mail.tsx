import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { EmailVerified } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { useI18n } from '../i18n/i18n.js';
import { afterCredentialsEnded, loadMe } from '../state/auth.js';
import { EmailInput } from '../components/email-input.js';

// The pages a mailed link opens. The token travels in the URL fragment (never sent to a server, never
// in a Referer) and is read here, then dropped from the address bar before anything else happens.

function takeToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) history.replaceState(null, '', location.pathname);
  return token;
}

export function VerifyEmailPage() {
  const { t } = useI18n();
  const [state, setState] = useState<{ kind: 'working' | 'ok' | 'error' | 'missing'; text?: string }>({ kind: 'working' });
  useEffect(() => {
    const token = takeToken();
    if (!token) return setState({ kind: 'missing' });
    void api<EmailVerified>('POST', '/api/auth/email/verify', { token }).then(async (result) => {
      if (!result.ok || !result.data) return setState({ kind: 'error', text: result.error?.message ?? '' });
      await loadMe();
      setState({ kind: 'ok', text: t(result.data.changed ? 'acct.verify.changed' : 'acct.verify.done', { email: result.data.user.email }) });
    });
  }, []);
  return (
    <section class="narrow">
      <h1>{t('acct.verify.title')}</h1>
      {state.kind === 'working' && <p>{t('acct.verify.working')}</p>}
      {state.kind === 'missing' && <Notice kind="error">{t('acct.link.missing')}</Notice>}
      {state.kind === 'error' && <Notice kind="error">{state.text}</Notice>}
      {state.kind === 'ok' && (
        <p data-testid="verify-done">
          <Notice kind="ok">{state.text}</Notice>
        </p>
      )}
    </section>
  );
}

export function ForgotPasswordPage() {
  const { t } = useI18n();
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget as HTMLFormElement).get('email') ?? '').trim();
    setError(null);
    const result = await api('POST', '/api/auth/password/forgot', { email }, { bearer: false });
    if (result.ok) setSent(true);
    else setError(result.error?.message ?? '');
  }
  return (
    <section class="narrow">
      <h1>{t('acct.forgot.title')}</h1>
      <p>{t('acct.forgot.lead')}</p>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <label>
          {t('auth.email')}
          <EmailInput testId="forgot-email" />
        </label>
        {error && <Notice kind="error">{error}</Notice>}
        {sent && (
          <div data-testid="forgot-sent">
            <Notice kind="ok">{t('acct.forgot.sent')}</Notice>
          </div>
        )}
        <button type="submit" class="primary" data-testid="forgot-submit">
          {t('acct.forgot.submit')}
        </button>
      </form>
    </section>
  );
}

export function ResetPasswordPage() {
  const { t } = useI18n();
  const [token] = useState(() => takeToken());
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    const newPassword = String(new FormData(event.currentTarget as HTMLFormElement).get('password') ?? '');
    setError(null);
    const result = await api('POST', '/api/auth/password/reset', { token, newPassword }, { bearer: false });
    if (!result.ok) return setError(result.error?.message ?? '');
    setDone(true);
    await afterCredentialsEnded();
  }
  if (!token) {
    return (
      <section class="narrow">
        <h1>{t('acct.reset.title')}</h1>
        <Notice kind="error">{t('acct.link.missing')}</Notice>
      </section>
    );
  }
  return (
    <section class="narrow">
      <h1>{t('acct.reset.title')}</h1>
      {done ? (
        <div data-testid="reset-done">
          <Notice kind="ok">{t('acct.reset.done')}</Notice>
          <p>
            <a href="/login">{t('nav.login')}</a>
          </p>
        </div>
      ) : (
        <form class="stack" onSubmit={(e) => void submit(e)}>
          <label>
            {t('auth.password')}
            <input name="password" type="password" required minLength={8} autoComplete="new-password" data-testid="reset-password" />
          </label>
          <p class="hint">{t('auth.passwordRule')}</p>
          {error && <Notice kind="error">{error}</Notice>}
          <button type="submit" class="primary" data-testid="reset-submit">
            {t('acct.reset.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
