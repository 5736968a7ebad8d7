import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ProviderAdminList, ProviderAdminView } from '../api/types.js';
import { AdminOnly } from '../components/admin-only.js';
import { Notice } from '../components/notice.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';

const KINDS = ['google', 'kakao', 'naver', 'github', 'oidc'] as const;

/** /admin/providers: the sign-in providers, each with the callback URL to register upstream; add and remove (admins only). */
export function AdminProvidersPage() {
  return (
    <AdminOnly title="admin.providers.title" refusal="admin.providers.adminOnly">
      <ProvidersAdmin />
    </AdminOnly>
  );
}

function ProvidersAdmin() {
  const { t } = useI18n();
  const [state, reload] = useEndpoint<ProviderAdminList>('/api/auth/federation/admin/providers');
  const [kind, setKind] = useState<(typeof KINDS)[number]>('google');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  async function add(event: Event) {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const body: Record<string, unknown> = { id: text('id'), kind, clientId: text('clientId'), trustEmail: form.get('trustEmail') === 'on' };
    for (const field of ['issuer', 'clientSecret', 'scope', 'displayName']) if (text(field)) body[field] = text(field);
    const result = await api<ProviderAdminView>('POST', '/api/auth/federation/providers', body);
    if (result.ok && result.data) {
      setMessage({ kind: 'ok', text: t('admin.providers.added', { name: result.data.displayName }) });
      formElement.reset();
      reload();
    } else {
      setMessage({ kind: 'error', text: result.error?.message ?? '' });
    }
  }
  async function remove(id: string) {
    const result = await api('DELETE', `/api/auth/federation/providers/${encodeURIComponent(id)}`);
    setMessage(result.ok ? null : { kind: 'error', text: result.error?.message ?? '' });
    reload();
  }

  return (
    <section data-testid="admin-providers">
      <h1>{t('admin.providers.title')}</h1>
      <p>{t('admin.providers.lead')}</p>
      {state.status === 'error' && <Notice kind="error">{state.error.message}</Notice>}
      {state.status === 'ok' && state.data.providers.length === 0 && <p>{t('admin.providers.empty')}</p>}
      {state.status === 'ok' &&
        state.data.providers.map((p) => (
          <section class="panel" key={p.id} aria-labelledby={`provider-${p.id}-h`} data-testid={`provider-${p.id}`}>
            <h2 id={`provider-${p.id}-h`}>
              {p.displayName} <span class="muted mono">({p.id})</span>
            </h2>
            <dl class="facts">
              <dt>{t('admin.providers.callback')}</dt>
              <dd class="mono" data-testid="callback-url">
                {p.callbackUrl}
              </dd>
              <dt>{t('admin.providers.kind')}</dt>
              <dd>
                {p.kind}
                {p.issuer ? <span class="mono"> · {p.issuer}</span> : null}
              </dd>
              <dt>{t('admin.providers.clientId')}</dt>
              <dd class="mono">{p.clientId}</dd>
              <dt>{t('admin.providers.secret')}</dt>
              <dd>{p.hasClientSecret ? t('admin.providers.secretStored') : '—'}</dd>
              <dt>{t('admin.providers.trustEmail')}</dt>
              <dd data-testid="trust-email">{t(p.trustEmail ? 'common.yes' : 'common.no')}</dd>
              <dt>{t('admin.providers.source')}</dt>
              <dd>{t(p.source === 'config' ? 'admin.providers.source.config' : 'admin.providers.source.store')}</dd>
            </dl>
            {p.source === 'store' && (
              <button type="button" onClick={() => void remove(p.id)} aria-label={`${t('admin.providers.remove')}: ${p.displayName}`}>
                {t('admin.providers.remove')}
              </button>
            )}
          </section>
        ))}
      <section class="panel" aria-labelledby="provider-add-h">
        <h2 id="provider-add-h">{t('admin.providers.add')}</h2>
        <form class="stack" onSubmit={(e) => void add(e)} data-testid="provider-add">
          <label>
            {t('admin.providers.kind')}
            <select name="kind" value={kind} onChange={(e) => setKind((e.currentTarget).value as (typeof KINDS)[number])} data-testid="kind">
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === 'oidc' ? 'OpenID Connect' : k}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.providers.id')}
            <input name="id" required pattern="[a-z0-9][a-z0-9\-]{0,62}" data-testid="id" />
          </label>
          {kind === 'oidc' && (
            <label>
              {t('admin.providers.issuer')}
              <input name="issuer" type="url" required data-testid="issuer" />
            </label>
          )}
          <label>
            {t('admin.providers.clientId')}
            <input name="clientId" required maxLength={512} data-testid="client-id" />
          </label>
          <label>
            {t('admin.providers.secret')}
            <input name="clientSecret" type="password" autoComplete="off" maxLength={2000} data-testid="client-secret" />
          </label>
          <label>
            {t('admin.providers.scope')}
            <input name="scope" maxLength={1000} />
          </label>
          <label>
            {t('admin.providers.name')}
            <input name="displayName" maxLength={100} data-testid="display-name" />
          </label>
          <label class="mode">
            <input type="checkbox" name="trustEmail" data-testid="trust-email-input" />
            <span>
              <strong>{t('admin.providers.trustEmail')}</strong>
              <span class="hint">{t('admin.providers.trustEmail.hint')}</span>
            </span>
          </label>
          <button type="submit" class="primary" data-testid="provider-submit">
            {t('admin.providers.submit')}
          </button>
        </form>
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
      </section>
    </section>
  );
}
