import { useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n, type Translate } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';
import { auth, login } from '../state/auth.js';
import { useStore } from '../state/store.js';
import type { ProviderList, ProviderView } from '../api/types.js';
import { startLink } from './link.js';
import { EmailInput } from '../components/email-input.js';

const EXPLAINED = new Set([
  'GH_OAUTH_FEDERATION_STATE',
  'GH_OAUTH_FEDERATION_FAILED',
  'GH_OAUTH_FEDERATION_NO_EMAIL',
  'GH_OAUTH_LINK_TAKEN',
  'GH_FEDERATION_ACCOUNT_DISABLED',
  'GH_FEDERATION_LINK_SESSION',
  'GH_OAUTH_PROVIDER_UNKNOWN',
]);

/**
 * Where the node sends a sign-in with another provider that did not finish (/federation/problem?code=…&provider=…).
 * For "an account with this address exists" it explains why the provider cannot open it and offers to
 * sign in with the password and link; for the rest, what happened in words. Only the code and the
 * provider id arrive in the URL, so nothing here can be injected by the provider.
 */
export function FederationProblemPage() {
  const { t } = useI18n();
  const params = new URLSearchParams(location.search);
  const code = params.get('code') ?? '';
  const providerId = params.get('provider') ?? '';
  const [providers] = useEndpoint<ProviderList>('/api/auth/federation/providers');
  const known = providers.status === 'ok' ? providers.data.providers.find((p) => p.id === providerId) : undefined;
  const name = known?.displayName ?? providerId;

  if (code === 'GH_OAUTH_LINK_REQUIRED' && known) return <AccountExists provider={known} />;
  return (
    <section class="narrow" data-testid="federation-problem">
      <h1>{t('fed.problem.title', { name })}</h1>
      <Notice kind="error">{explain(t, code, name)}</Notice>
      <p class="hint">
        {t('fed.problem.code')}: <code>{code || '—'}</code>
      </p>
      <p>
        <a href="/login">{t('fed.problem.back')}</a>
      </p>
    </section>
  );
}

function explain(t: Translate, code: string, name: string): string {
  return EXPLAINED.has(code) ? t(`fed.problem.${code}` as MsgKey, { name }) : t('fed.problem.other');
}

function AccountExists({ provider }: { provider: ProviderView }) {
  const { t } = useI18n();
  const { me } = useStore(auth);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = provider.displayName;

  async function link() {
    setBusy(true);
    const result = await startLink(provider.id);
    if (!result.ok) setError(result.error?.message ?? null);
    setBusy(false);
  }
  async function signInAndLink(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    const result = await login('session', { email: String(form.get('email') ?? '').trim(), password: String(form.get('password') ?? '') });
    if (!result.ok) {
      setError(result.error?.message ?? null);
      setBusy(false);
      return;
    }
    await link();
  }
  return (
    <section class="narrow" data-testid="federation-account-exists">
      <h1>{t('fed.exists.title')}</h1>
      <p>{t('fed.exists.body', { name })}</p>
      {me ? (
        <div class="stack">
          <p>{t('fed.exists.signedIn', { email: me.user.email, name })}</p>
          <button type="button" class="primary" disabled={busy} onClick={() => void link()} data-testid="link-provider">
            {t('fed.exists.link', { name })}
          </button>
        </div>
      ) : (
        <form class="stack" onSubmit={(e) => void signInAndLink(e)} data-testid="sign-in-and-link">
          <label>
            {t('auth.email')}
            <EmailInput testId="email" />
          </label>
          <label>
            {t('auth.password')}
            <input name="password" type="password" required autoComplete="current-password" data-testid="password" />
          </label>
          <button type="submit" class="primary" disabled={busy} data-testid="submit">
            {t('fed.exists.signIn')}
          </button>
        </form>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <p class="hint">{t('fed.exists.notYours')}</p>
    </section>
  );
}
