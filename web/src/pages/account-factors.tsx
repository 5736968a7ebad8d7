import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { FactorStatus, RecoveryCodes, TotpEnrolment } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import { passkeyAssertion } from '../state/auth.js';

type Message = { ok: boolean; text: string } | null;

/**
 * Two-step verification on the account page: confirm it is you (step-up), set up an authenticator app
 * (QR code made by the node, confirmed with a first code), recovery codes (shown once), turning it off.
 */
export function FactorsSection() {
  const { t } = useI18n();
  const [state, reload] = useEndpoint<FactorStatus>('/api/account/factors');
  const [message, setMessage] = useState<Message>(null);
  const [enrolment, setEnrolment] = useState<{ secret: string; qr: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  if (state.status !== 'ok') return null;
  const status = state.data;
  const fail = (text: string | undefined) => setMessage({ ok: false, text: text ?? 'failed' });

  async function reauth(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const code = String(data.get('code') ?? '').trim();
    const result = await api('POST', '/api/auth/reauth', { password: String(data.get('password') ?? ''), ...(code ? { code } : {}) });
    if (!result.ok) return fail(result.error?.message);
    form.reset();
    setMessage({ ok: true, text: t('factors.reauth.done') });
  }
  /** Step-up with the password and a passkey instead of a code. */
  async function reauthWithPasskey(button: HTMLButtonElement) {
    const password = String(new FormData(button.form!).get('password') ?? '');
    const assertion = await passkeyAssertion();
    if ('error' in assertion) return fail(assertion.error);
    const result = await api('POST', '/api/auth/reauth', { password, ceremony: assertion.ceremony, passkey: assertion.response });
    if (!result.ok) return fail(result.error?.message);
    setMessage({ ok: true, text: t('factors.reauth.done') });
  }
  async function start() {
    const result = await api<TotpEnrolment>('POST', '/api/account/factors/totp', {});
    if (!result.ok || !result.data) return fail(result.error?.message);
    setMessage(null);
    setEnrolment(result.data);
  }
  async function confirm(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const result = await api<RecoveryCodes>('POST', '/api/account/factors/totp/confirm', { code: String(data.get('code') ?? '').trim() });
    if (!result.ok || !result.data) return fail(result.error?.message);
    setEnrolment(null);
    setCodes(result.data.recoveryCodes);
    setMessage({ ok: true, text: t('factors.enabled') });
    reload();
  }
  async function newCodes() {
    const result = await api<RecoveryCodes>('POST', '/api/account/factors/recovery-codes', {});
    if (!result.ok || !result.data) return fail(result.error?.message);
    setCodes(result.data.recoveryCodes);
    reload();
  }
  async function turnOff() {
    const result = await api('DELETE', '/api/account/factors/totp');
    if (!result.ok) return fail(result.error?.message);
    setCodes(null);
    setMessage({ ok: true, text: t('factors.disabled') });
    reload();
  }

  return (
    <section class="panel" aria-labelledby="factors-h" data-testid="factors">
      <h2 id="factors-h">{t('factors.title')}</h2>
      <p class="muted" data-testid="factors-status">
        {status.totp ? t('factors.on', { left: String(status.recoveryCodesLeft) }) : t('factors.off')}
      </p>
      <form class="stack" onSubmit={(e) => void reauth(e)} data-testid="reauth-form">
        <p class="hint">{t('factors.reauth.hint')}</p>
        <label>
          {t('auth.password')}
          <input name="password" type="password" required autoComplete="current-password" data-testid="reauth-password" />
        </label>
        {status.totp && (
          <label>
            {t('factors.code')}
            <input name="code" required autoComplete="one-time-code" maxLength={64} data-testid="reauth-code" />
          </label>
        )}
        <button type="submit" data-testid="reauth-submit">
          {t('factors.reauth')}
        </button>
        {status.passkeys > 0 && (
          <button type="button" onClick={(e) => void reauthWithPasskey(e.currentTarget)} data-testid="reauth-passkey">
            {t('passkeys.use')}
          </button>
        )}
      </form>
      {!status.totp && !enrolment && (
        <button type="button" onClick={() => void start()} data-testid="totp-start">
          {t('factors.totp.start')}
        </button>
      )}
      {enrolment && (
        <form class="stack" onSubmit={(e) => void confirm(e)} data-testid="totp-enrol">
          <p class="hint">{t('factors.totp.scan')}</p>
          <img src={enrolment.qr} alt={t('factors.totp.qr')} width={200} height={200} data-testid="totp-qr" />
          <p>
            {t('factors.totp.manual')} <code class="mono" data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <label>
            {t('factors.code')}
            <input name="code" required inputMode="numeric" autoComplete="one-time-code" maxLength={6} data-testid="totp-code" />
          </label>
          <button type="submit" class="primary" data-testid="totp-confirm">
            {t('factors.totp.confirm')}
          </button>
        </form>
      )}
      {codes && (
        <div data-testid="recovery-codes">
          <p class="hint">{t('factors.recovery.once')}</p>
          <ul class="mono">
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </div>
      )}
      {status.totp && (
        <p>
          <button type="button" onClick={() => void newCodes()} data-testid="recovery-new">
            {t('factors.recovery.new')}
          </button>{' '}
          <button type="button" onClick={() => void turnOff()} data-testid="totp-off">
            {t('factors.totp.off')}
          </button>
        </p>
      )}
      {message && (
        <Notice kind={message.ok ? 'ok' : 'error'}>
          <span data-testid="factors-message">{message.text}</span>
        </Notice>
      )}
    </section>
  );
}
