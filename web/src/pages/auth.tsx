import { useState } from 'preact/hooks';
import type { ApiError, LoginMode, ProviderList } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { PasswordFeedback, isPasswordRefusal } from '../components/password-feedback.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';
import { login, loginSecondFactor, loginWithPasskey, secondFactorWithPasskey, signup } from '../state/auth.js';
import { EmailInput } from '../components/email-input.js';

const MODES: LoginMode[] = ['cookie', 'session', 'jwt'];

/** Where the browser goes to start the redirect to a provider (same origin: the node redirects onwards). */
const startHref = (id: string): string => `/api/auth/federation/${encodeURIComponent(id)}/start?return_to=%2Fexplain`;

/**
 * A sign-in through another provider that still owes the second factor lands here with its ticket in
 * the fragment (never sent to a server); the fragment is cleared at once. Its second step is session mode.
 */
function federatedPending(): { mode: LoginMode; ticket: string; methods: string[] } | null {
  if (typeof location === 'undefined') return null;
  const ticket = new URLSearchParams(location.hash.slice(1)).get('second-factor');
  if (!ticket) return null;
  history.replaceState(null, '', location.pathname + location.search);
  return { mode: 'session', ticket, methods: ['totp', 'recovery', 'passkey'] };
}

export function AuthPage({ kind }: { kind: 'login' | 'signup' }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<LoginMode>('session');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const [providers] = useEndpoint<ProviderList>('/api/auth/federation/providers');
  // Set once the password was right and the account has a second factor: the code step replaces the form.
  const [pending, setPending] = useState<{ mode: LoginMode; ticket: string; methods: string[] } | null>(() => federatedPending());

  /** A passkey alone, or (with a pending ticket) as the second step. */
  async function usePasskey() {
    setBusy(true);
    setError(null);
    try {
      const result = pending ? await secondFactorWithPasskey(pending.mode, pending.ticket) : await loginWithPasskey(mode);
      if (!result.ok) return setError(result.error?.message ?? 'login failed');
      navigate('/explain');
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(event: Event) {
    event.preventDefault();
    if (!pending) return;
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const result = await loginSecondFactor(pending.mode, pending.ticket, String(form.get('code') ?? '').trim());
      if (result.error?.error === 'GH_MFA_TICKET_INVALID') setPending(null);
      if (!result.ok) return setError(result.error?.message ?? 'login failed');
      navigate('/explain');
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const name = String(form.get('name') ?? '').trim();
    setBusy(true);
    setError(null);
    setRefusal(null);
    try {
      if (kind === 'signup') {
        const created = await signup({ email, password, ...(name ? { name } : {}) });
        if (created.error && isPasswordRefusal(created.error)) return setRefusal(created.error);
        if (!created.ok) return setError(created.error?.message ?? 'sign-up failed');
      }
      const result = await login(mode, { email, password });
      if (!result.ok) return setError(result.error?.message ?? 'login failed');
      if (result.data?.secondFactorRequired && result.data.ticket) return setPending({ mode, ticket: result.data.ticket, methods: result.data.methods ?? [] });
      navigate('/explain');
    } finally {
      setBusy(false);
    }
  }

  const list = providers.status === 'ok' ? providers.data.providers : [];
  if (pending) {
    return (
      <section class="narrow">
        <h1>{t('factors.login.title')}</h1>
        <p class="hint">{t('factors.login.hint')}</p>
        <form onSubmit={(e) => void submitCode(e)} class="stack" data-testid="second-factor-form">
          <label>
            {t('factors.code')}
            <input name="code" required autoFocus autoComplete="one-time-code" maxLength={64} data-testid="second-factor-code" />
          </label>
          {error && <Notice kind="error">{error}</Notice>}
          <button type="submit" class="primary" disabled={busy} data-testid="second-factor-submit">
            {t('factors.verify')}
          </button>
        </form>
        {pending.methods.includes('passkey') && (
          <p>
            <button type="button" disabled={busy} onClick={() => void usePasskey()} data-testid="second-factor-passkey">
              {t('passkeys.use')}
            </button>
          </p>
        )}
      </section>
    );
  }
  return (
    <section class="narrow">
      <h1>{t(kind === 'login' ? 'auth.login.title' : 'auth.signup.title')}</h1>
      <form onSubmit={(e) => void submit(e)} class="stack" data-testid={`${kind}-form`}>
        {kind === 'signup' && (
          <label>
            {t('auth.name')}
            <input name="name" autoComplete="name" maxLength={100} />
          </label>
        )}
        <label>
          {t('auth.email')}
          <EmailInput testId="email" />
        </label>
        <label>
          {t('auth.password')}
          <input
            name="password"
            type="password"
            required
            minLength={kind === 'signup' ? 8 : 1}
            autoComplete={kind === 'signup' ? 'new-password' : 'current-password'}
            aria-describedby={kind === 'signup' ? 'password-rule' : undefined}
            aria-invalid={refusal ? true : undefined}
            onInput={() => refusal && setRefusal(null)}
            data-testid="password"
          />
        </label>
        {kind === 'signup' && (
          <p id="password-rule" class="hint">
            {t('auth.passwordRule')}
          </p>
        )}
        <fieldset class="modes">
          <legend>{t('auth.mode')}</legend>
          {MODES.map((m) => (
            <label key={m} class="mode">
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} data-testid={`mode-${m}`} />
              <span>
                <strong>{t(`auth.mode.${m}`)}</strong>
                <span class="hint">{t(`auth.mode.${m}.hint`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {refusal && <PasswordFeedback error={refusal} />}
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" class="primary" disabled={busy} data-testid="submit">
          {t(kind === 'login' ? 'auth.submit.login' : 'auth.submit.signup')}
        </button>
      </form>
      {kind === 'login' && (
        <p>
          <button type="button" disabled={busy} onClick={() => void usePasskey()} data-testid="passkey-login">
            {t('passkeys.signIn')}
          </button>
        </p>
      )}
      {list.length > 0 && (
        <div class="providers">
          <h2>{t('auth.providers')}</h2>
          <ul class="stack">
            {list.map((p) => (
              <li key={p.id}>
                <a class="button" href={startHref(p.id)} data-external data-testid={`provider-${p.id}`}>
                  {t('auth.provider', { name: p.displayName })}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      {kind === 'login' && (
        <p>
          <a href="/forgot-password" data-testid="forgot-link">
            {t('acct.forgotLink')}
          </a>
        </p>
      )}
      <p>
        <a href={kind === 'login' ? '/signup' : '/login'}>{t(kind === 'login' ? 'auth.needAccount' : 'auth.haveAccount')}</a>
      </p>
    </section>
  );
}
