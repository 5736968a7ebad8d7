import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { Notice } from '../components/notice.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';
import { formatTime } from '../lib/format.js';
import { auth } from '../state/auth.js';
import { useStore } from '../state/store.js';

// The admin console: users, OAuth clients and the mail outbox. The server checks the admin role on
// every call; this page only hides itself from others.

interface AdminUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  createdAt: number;
  emailVerifiedAt: number | null;
  disabledAt: number | null;
}

interface Client {
  client_id: string;
  client_name: string;
  client_type: 'public' | 'confidential';
  redirect_uris: string[];
}

interface OutboxMessage {
  id: string;
  createdAt: number;
  to: string;
  kind: string;
  subject: string;
  text: string;
}

type Result = { kind: 'ok' | 'error'; text: string } | null;

export function AdminPage() {
  const { t } = useI18n();
  const { me, ready } = useStore(auth);
  if (!ready) return <p>{t('common.loading')}</p>;
  if (!me?.user.roles.includes('admin')) {
    return (
      <section>
        <h1>{t('admin.title')}</h1>
        <Notice kind="error">{t('admin.forbidden')}</Notice>
      </section>
    );
  }
  return (
    <section>
      <h1>{t('admin.title')}</h1>
      <UsersPanel />
      <ClientsPanel />
      <OutboxPanel />
    </section>
  );
}

function UsersPanel() {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [state, reload] = useEndpoint<{ users: AdminUser[] }>(`/api/admin/users?q=${encodeURIComponent(query)}`, [query]);
  const [result, setResult] = useState<Result>(null);

  async function act(user: AdminUser, action: 'disable' | 'enable' | 'logout' | 'grant' | 'revoke', label: MsgKey) {
    const path = `/api/admin/users/${encodeURIComponent(user.id)}`;
    const response =
      action === 'grant' || action === 'revoke' ? await api('PUT', `${path}/admin`, { admin: action === 'grant' }) : await api('POST', `${path}/${action}`, {});
    setResult(response.ok ? { kind: 'ok', text: t('admin.done', { action: t(label), email: user.email }) } : { kind: 'error', text: response.error?.message ?? '' });
    reload();
  }

  return (
    <section class="panel" aria-labelledby="users-h">
      <h2 id="users-h">{t('admin.users')}</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(String(new FormData(e.currentTarget as HTMLFormElement).get('q') ?? ''));
        }}
      >
        <label>
          {t('admin.search')}
          <input name="q" type="search" maxLength={320} data-testid="admin-search" />
        </label>
        <button type="submit" data-testid="admin-search-submit">
          {t('admin.searchSubmit')}
        </button>
      </form>
      {result && (
        <div data-testid="admin-result">
          <Notice kind={result.kind}>{result.text}</Notice>
        </div>
      )}
      {state.status === 'ok' && (
        <table data-testid="admin-users">
          <thead>
            <tr>
              <th>{t('admin.email')}</th>
              <th>{t('admin.roles')}</th>
              <th>{t('admin.state')}</th>
              <th>{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {state.data.users.map((u) => (
              <tr key={u.id} data-testid="admin-user" data-email={u.email}>
                <td>
                  {u.email}
                  {u.name ? ` (${u.name})` : ''}
                </td>
                <td>{u.roles.join(', ') || '—'}</td>
                <td data-testid="admin-user-state">
                  {t(u.disabledAt ? 'admin.disabled' : 'admin.active')}, {t(u.emailVerifiedAt ? 'admin.verified' : 'admin.unverified')}
                </td>
                <td class="actions">
                  {u.disabledAt ? (
                    <button type="button" onClick={() => void act(u, 'enable', 'admin.enable')} data-testid="admin-enable">
                      {t('admin.enable')}
                    </button>
                  ) : (
                    <button type="button" class="danger" onClick={() => void act(u, 'disable', 'admin.disable')} data-testid="admin-disable">
                      {t('admin.disable')}
                    </button>
                  )}
                  <button type="button" onClick={() => void act(u, 'logout', 'admin.logout')} data-testid="admin-logout">
                    {t('admin.logout')}
                  </button>
                  {u.roles.includes('admin') ? (
                    <button type="button" onClick={() => void act(u, 'revoke', 'admin.revokeAdmin')}>
                      {t('admin.revokeAdmin')}
                    </button>
                  ) : (
                    <button type="button" onClick={() => void act(u, 'grant', 'admin.grantAdmin')}>
                      {t('admin.grantAdmin')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.status === 'error' && <Notice kind="error">{state.error.message}</Notice>}
    </section>
  );
}

function ClientsPanel() {
  const { t } = useI18n();
  const [state, reload] = useEndpoint<{ clients: Client[] }>('/api/oauth/clients');
  const [result, setResult] = useState<Result>(null);

  async function create(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const response = await api<{ client_id: string; client_secret?: string }>('POST', '/api/oauth/clients', {
      name: String(form.get('name') ?? ''),
      redirect_uris: [String(form.get('redirect') ?? '')],
      type: String(form.get('type') ?? 'confidential'),
    });
    if (!response.ok || !response.data) setResult({ kind: 'error', text: response.error?.message ?? '' });
    else setResult({ kind: 'ok', text: response.data.client_secret ? t('admin.client.secret', { id: response.data.client_id, secret: response.data.client_secret }) : response.data.client_id });
    reload();
  }
  async function rotate(client: Client) {
    const response = await api<{ client_id: string; client_secret: string }>('POST', `/api/oauth/clients/${encodeURIComponent(client.client_id)}/rotate-secret`, {});
    setResult(response.ok && response.data ? { kind: 'ok', text: t('admin.client.secret', { id: response.data.client_id, secret: response.data.client_secret }) } : { kind: 'error', text: response.error?.message ?? '' });
  }
  async function remove(client: Client) {
    const response = await api('DELETE', `/api/oauth/clients/${encodeURIComponent(client.client_id)}`, {});
    if (!response.ok) setResult({ kind: 'error', text: response.error?.message ?? '' });
    reload();
  }

  return (
    <section class="panel" aria-labelledby="clients-h">
      <h2 id="clients-h">{t('admin.clients')}</h2>
      {state.status === 'ok' && (
        <ul class="stack" data-testid="admin-clients">
          {state.data.clients.map((c) => (
            <li key={c.client_id}>
              <strong>{c.client_name}</strong> <span class="mono">{c.client_id}</span> ({c.client_type}) {c.redirect_uris.join(' ')}{' '}
              {c.client_type === 'confidential' && (
                <button type="button" onClick={() => void rotate(c)}>
                  {t('admin.client.rotate')}
                </button>
              )}
              <button type="button" class="danger" onClick={() => void remove(c)}>
                {t('admin.client.delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="stack" onSubmit={(e) => void create(e)}>
        <label>
          {t('admin.client.name')}
          <input name="name" required maxLength={100} />
        </label>
        <label>
          {t('admin.client.redirect')}
          <input name="redirect" type="url" required maxLength={2000} />
        </label>
        <label>
          {t('admin.client.type')}
          <select name="type">
            <option value="confidential">confidential</option>
            <option value="public">public</option>
          </select>
        </label>
        <button type="submit">{t('admin.client.create')}</button>
      </form>
      {result && (
        <p class="mono" data-testid="client-result">
          {result.text}
        </p>
      )}
    </section>
  );
}

function OutboxPanel() {
  const { t, lang } = useI18n();
  const [state] = useEndpoint<{ delivery: string; messages: OutboxMessage[] }>('/api/admin/outbox');
  if (state.status !== 'ok') return null;
  return (
    <section class="panel" aria-labelledby="outbox-h">
      <h2 id="outbox-h">{t('admin.outbox')}</h2>
      {state.data.delivery === 'smtp' && <p class="hint">{t('admin.outbox.smtp')}</p>}
      <ul class="stack" data-testid="admin-outbox">
        {state.data.messages.map((m) => (
          <li key={m.id}>
            <details>
              <summary>
                {formatTime(m.createdAt, lang)} — {t('admin.outbox.to')}: {m.to} — {t('admin.outbox.subject')}: {m.subject}
              </summary>
              <pre>{m.text}</pre>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
