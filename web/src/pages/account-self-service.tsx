import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { AccountStatus } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import { formatTime } from '../lib/format.js';
import { navigate } from '../router.js';
import { afterCredentialsEnded } from '../state/auth.js';
import { EmailInput } from '../components/email-input.js';

// The account page's self-service sections: email verification state, email change, export, deletion.

export function SelfServiceSections() {
  return (
    <>
      <EmailSection />
      <ExportSection />
      <DeleteSection />
    </>
  );
}

function EmailSection() {
  const { t, lang } = useI18n();
  const [state, reload] = useEndpoint<AccountStatus>('/api/account/status');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  if (state.status !== 'ok') return null;
  const status = state.data;

  async function resend() {
    const result = await api('POST', '/api/auth/email/resend', {});
    setMessage(result.ok ? { kind: 'ok', text: t('acct.email.resent') } : { kind: 'error', text: result.error?.message ?? '' });
  }
  async function change(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const result = await api('POST', '/api/account/email', { newEmail: String(form.get('newEmail') ?? '').trim(), currentPassword: String(form.get('currentPassword') ?? '') });
    setMessage(result.ok ? { kind: 'ok', text: t('acct.change.sent') } : { kind: 'error', text: result.error?.message ?? '' });
    reload();
  }
  return (
    <section class="panel" aria-labelledby="email-h">
      <h2 id="email-h">{t('acct.email.title')}</h2>
      <p data-testid="email-status" data-verified={status.emailVerifiedAt ? 'yes' : 'no'}>
        <strong>{status.email}</strong>{' '}
        {status.emailVerifiedAt ? t('acct.email.verified', { via: `${status.emailVerifiedVia ?? ''}, ${formatTime(status.emailVerifiedAt, lang)}` }) : null}
      </p>
      {!status.emailVerifiedAt && (
        <>
          <Notice kind="info">{t('acct.email.unverified')}</Notice>
          <button type="button" onClick={() => void resend()} data-testid="resend">
            {t('acct.email.resend')}
          </button>
        </>
      )}
      {status.mailDelivery === 'outbox' && <p class="hint">{t('acct.email.outbox')}</p>}
      <h3>{t('acct.change.title')}</h3>
      <form class="stack" onSubmit={(e) => void change(e)}>
        <label>
          {t('acct.change.new')}
          <EmailInput name="newEmail" testId="change-email" />
        </label>
        <label>
          {t('acct.change.password')}
          <input name="currentPassword" type="password" required autoComplete="current-password" data-testid="change-password" />
        </label>
        <button type="submit" data-testid="change-submit">
          {t('acct.change.submit')}
        </button>
      </form>
      {message && (
        <div data-testid="email-message">
          <Notice kind={message.kind}>{message.text}</Notice>
        </div>
      )}
    </section>
  );
}

function ExportSection() {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  async function download() {
    const result = await api<unknown>('GET', '/api/account/export');
    if (!result.ok) return setError(result.error?.message ?? '');
    const url = URL.createObjectURL(new Blob([JSON.stringify(result.data, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'gatehouse-account.json';
    a.dataset.external = '';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return (
    <section class="panel" aria-labelledby="export-h">
      <h2 id="export-h">{t('acct.export.title')}</h2>
      <p>{t('acct.export.lead')}</p>
      <button type="button" onClick={() => void download()} data-testid="export">
        {t('acct.export.submit')}
      </button>
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}

function DeleteSection() {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  async function remove(event: Event) {
    event.preventDefault();
    const currentPassword = String(new FormData(event.currentTarget as HTMLFormElement).get('currentPassword') ?? '');
    const result = await api('POST', '/api/account/delete', { currentPassword });
    if (!result.ok) return setError(result.error?.message ?? '');
    await afterCredentialsEnded();
    navigate('/');
  }
  return (
    <section class="panel danger" aria-labelledby="delete-h">
      <h2 id="delete-h">{t('acct.delete.title')}</h2>
      <p>{t('acct.delete.lead')}</p>
      <form class="stack" onSubmit={(e) => void remove(e)}>
        <label>
          {t('acct.delete.password')}
          <input name="currentPassword" type="password" required autoComplete="current-password" data-testid="delete-password" />
        </label>
        <button type="submit" class="danger" data-testid="delete-submit">
          {t('acct.delete.submit')}
        </button>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
