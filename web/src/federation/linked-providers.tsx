import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { Notice } from '../components/notice.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import { formatTime } from '../lib/format.js';
import type { LinkList, ProviderList } from '../api/types.js';
import { startLink } from './link.js';

/** The account page's "linked providers": each external identity of this account, unlink, and link more. */
export function LinkedProviders() {
  const { t, lang } = useI18n();
  const [state, reload] = useEndpoint<LinkList>('/api/auth/federation/links');
  const [providers] = useEndpoint<ProviderList>('/api/auth/federation/providers');
  const [error, setError] = useState<string | null>(null);
  if (state.status !== 'ok') return null;
  const links = state.data.links;
  const available = providers.status === 'ok' ? providers.data.providers.filter((p) => !links.some((l) => l.provider === p.id)) : [];

  async function unlink(id: string) {
    const result = await api('DELETE', `/api/auth/federation/links/${encodeURIComponent(id)}`);
    setError(result.ok ? null : (result.error?.message ?? null));
    reload();
  }
  async function link(id: string) {
    const result = await startLink(id);
    if (!result.ok) setError(result.error?.message ?? null);
  }
  return (
    <section class="panel" aria-labelledby="links-h" data-testid="linked-providers">
      <h2 id="links-h">{t('account.links')}</h2>
      {links.length === 0 ? (
        <p>{t('account.links.empty')}</p>
      ) : (
        <ul class="rows" data-testid="links">
          {links.map((l) => (
            <li key={l.id} data-testid={`link-${l.provider}`}>
              <span>
                <strong>{l.displayName}</strong> {l.email ?? ''}
                {l.lastLoginAt ? <span class="muted"> · {formatTime(l.lastLoginAt, lang)}</span> : null}
              </span>
              <button type="button" onClick={() => void unlink(l.id)} aria-label={`${t('account.links.unlink')}: ${l.displayName}`}>
                {t('account.links.unlink')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {available.length > 0 && (
        <ul class="inline-list">
          {available.map((p) => (
            <li key={p.id}>
              <button type="button" onClick={() => void link(p.id)} data-testid={`link-start-${p.id}`}>
                {t('account.links.link', { name: p.displayName })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
