import { startRegistration } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { PasskeyCeremony, PasskeyList, PasskeyView } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import { formatTime } from '../lib/format.js';

/** The account's passkeys: add one (named), see when each was last used, remove one. */
export function PasskeysSection() {
  const { t, lang } = useI18n();
  const [state, reload] = useEndpoint<PasskeyList>('/api/account/passkeys');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (state.status !== 'ok') return null;

  async function add(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    const options = await api<PasskeyCeremony>('POST', '/api/account/passkeys/options', {});
    if (!options.ok || !options.data) return setMessage({ ok: false, text: options.error?.message ?? 'failed' });
    let response: unknown;
    try {
      response = await startRegistration({ optionsJSON: options.data.options as Parameters<typeof startRegistration>[0]['optionsJSON'] });
    } catch (error) {
      return setMessage({ ok: false, text: error instanceof Error ? error.message : 'passkey failed' });
    }
    const saved = await api('POST', '/api/account/passkeys', { ceremony: options.data.ceremony, response, name });
    if (!saved.ok) return setMessage({ ok: false, text: saved.error?.message ?? 'failed' });
    form.reset();
    setMessage({ ok: true, text: t('passkeys.added', { name }) });
    reload();
  }
  async function remove(passkey: PasskeyView) {
    const result = await api('DELETE', `/api/account/passkeys/${encodeURIComponent(passkey.id)}`);
    setMessage(result.ok ? { ok: true, text: t('passkeys.removed', { name: passkey.name }) } : { ok: false, text: result.error?.message ?? 'failed' });
    reload();
  }

  return (
    <section class="panel" aria-labelledby="passkeys-h" data-testid="passkeys">
      <h2 id="passkeys-h">{t('passkeys.title')}</h2>
      <p class="muted">{t('passkeys.hint')}</p>
      <ul class="rows" data-testid="passkey-list">
        {state.data.passkeys.map((p) => (
          <li key={p.id} data-testid="passkey">
            <strong>{p.name}</strong> <span class="muted">{p.lastUsedAt ? t('passkeys.lastUsed', { when: formatTime(p.lastUsedAt, lang) }) : t('passkeys.neverUsed')}</span>{' '}
            <button type="button" onClick={() => void remove(p)} data-testid="passkey-remove">
              {t('passkeys.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form class="stack" onSubmit={(e) => void add(e)}>
        <label>
          {t('passkeys.name')}
          <input name="name" required maxLength={100} data-testid="passkey-name" />
        </label>
        <button type="submit" data-testid="passkey-add">
          {t('passkeys.add')}
        </button>
      </form>
      {message && (
        <Notice kind={message.ok ? 'ok' : 'error'}>
          <span data-testid="passkeys-message">{message.text}</span>
        </Notice>
      )}
    </section>
  );
}
