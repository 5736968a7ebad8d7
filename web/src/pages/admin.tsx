import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { AdminUserDetail, AdminUserList, AdminUserView, ClientSecretRotated, OauthClientList, OauthClientView, Outbox } from '../api/types.js';
import { AdminOnly } from '../components/admin-only.js';
import { Notice } from '../components/notice.js';
import { Table } from '../components/table.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';
import { formatTime } from '../lib/format.js';
import { auth } from '../state/auth.js';
import { useStore } from '../state/store.js';

// The admin console: users, OAuth clients and the mail outbox. The server checks the admin role on
// every call; this page only hides itself from others.

type Result = { kind: 'ok' | 'error'; text: string } | null;

export function AdminPage() {
  const { t } = useI18n();
  return (
    <AdminOnly title="admin.title" refusal="admin.forbidden">
      <section>
        <h1>{t('admin.title')}</h1>
        <UsersPanel />
        <ClientsPanel />
        <OutboxPanel />
      </section>
    </AdminOnly>
  );
}

type UserAction = 'disable' | 'enable' | 'logout' | 'grant' | 'revoke';

const ACTION_LABEL: Record<UserAction, MsgKey> = {
  disable: 'admin.disable',
  enable: 'admin.enable',
  logout: 'admin.logout',
  grant: 'admin.grantAdmin',
  revoke: 'admin.revokeAdmin',
};

/** Runs an operator action on a user (the server audits it with the acting admin) and says how it went. */
function useUserAction(after: () => void): [Result, (user: AdminUserView, action: UserAction) => Promise<void>] {
  const { t } = useI18n();
  const [result, setResult] = useState<Result>(null);
  async function act(user: AdminUserView, action: UserAction) {
    const path = `/api/admin/users/${encodeURIComponent(user.id)}`;
    const response =
      action === 'grant' || action === 'revoke' ? await api('PUT', `${path}/admin`, { admin: action === 'grant' }) : await api('POST', `${path}/${action}`, {});
    setResult(response.ok ? { kind: 'ok', text: t('admin.done', { action: t(ACTION_LABEL[action]), email: user.email }) } : { kind: 'error', text: response.error?.message ?? '' });
    after();
  }
  return [result, act];
}

/** The buttons for what an admin may do to a user, in the list and in the detail view alike. */
function UserActions({ user, act }: { user: AdminUserView; act: (user: AdminUserView, action: UserAction) => Promise<void> }) {
  const { t } = useI18n();
  const button = (action: UserAction, testId?: string, danger = false) => (
    <button type="button" class={danger ? 'danger' : undefined} onClick={() => void act(user, action)} data-testid={testId}>
      {t(ACTION_LABEL[action])}
    </button>
  );
  return (
    <>
      {user.disabledAt ? button('enable', 'admin-enable') : button('disable', 'admin-disable', true)}
      {button('logout', 'admin-logout')}
      {user.roles.includes('admin') ? button('revoke', 'admin-revoke') : button('grant', 'admin-grant')}
    </>
  );
}

function ResultLine({ result }: { result: Result }) {
  if (!result) return null;
  return (
    <div data-testid="admin-result">
      <Notice kind={result.kind}>{result.text}</Notice>
    </div>
  );
}

const stateText = (t: ReturnType<typeof useI18n>['t'], u: AdminUserView) => `${t(u.disabledAt ? 'admin.disabled' : 'admin.active')}, ${t(u.emailVerifiedAt ? 'admin.verified' : 'admin.unverified')}`;

function UsersPanel() {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [state, reload] = useEndpoint<AdminUserList>(`/api/admin/users?q=${encodeURIComponent(query)}`, [query]);
  const [result, act] = useUserAction(reload);

  if (selected) {
    return (
      <UserDetail
        id={selected}
        onBack={() => {
          setSelected(null);
          reload();
        }}
      />
    );
  }
  return (
    <section class="panel" aria-labelledby="users-h">
      <h2 id="users-h">{t('admin.users')}</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(String(new FormData(e.currentTarget).get('q') ?? ''));
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
      <ResultLine result={result} />
      {state.status === 'ok' && (
        <Table head={[t('admin.email'), t('admin.roles'), t('admin.state'), t('admin.actions')]} testId="admin-users">
          {state.data.users.map((u) => (
            <tr key={u.id} data-testid="admin-user" data-email={u.email}>
              <td>
                {u.email}
                {u.name ? ` (${u.name})` : ''}
              </td>
              <td>{u.roles.join(', ') || '—'}</td>
              <td data-testid="admin-user-state">{stateText(t, u)}</td>
              <td class="actions">
                <button type="button" onClick={() => setSelected(u.id)} data-testid="admin-view" aria-label={`${t('admin.view')}: ${u.email}`}>
                  {t('admin.view')}
                </button>
                <UserActions user={u} act={act} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      {state.status === 'error' && <Notice kind="error">{state.error.message}</Notice>}
    </section>
  );
}

/** One user: profile, verified state, roles, live sign-ins, latest security events, and the actions. */
function UserDetail({ id, onBack }: { id: string; onBack: () => void }) {
  const { t, lang } = useI18n();
  const { me } = useStore(auth);
  const [state, reload] = useEndpoint<AdminUserDetail>(`/api/admin/users/${encodeURIComponent(id)}`);
  const [result, act] = useUserAction(reload);
  return (
    <section class="panel" aria-labelledby="user-h" data-testid="admin-user-detail">
      <p>
        <button type="button" onClick={onBack} data-testid="admin-back">
          {t('admin.detail.back')}
        </button>
      </p>
      {state.status === 'error' && <Notice kind="error">{state.error.message}</Notice>}
      {state.status === 'ok' && (
        <>
          <h2 id="user-h">{state.data.user.email}</h2>
          <ResultLine result={result} />
          <dl class="facts" data-testid="admin-user-facts">
            <dt>{t('admin.detail.id')}</dt>
            <dd class="mono">{state.data.user.id}</dd>
            <dt>{t('admin.detail.name')}</dt>
            <dd>{state.data.user.name ?? '—'}</dd>
            <dt>{t('admin.detail.created')}</dt>
            <dd>{formatTime(state.data.user.createdAt, lang)}</dd>
            <dt>{t('admin.detail.emailVerified')}</dt>
            <dd data-testid="admin-detail-verified">{state.data.user.emailVerifiedAt ? formatTime(state.data.user.emailVerifiedAt, lang) : t('admin.unverified')}</dd>
            <dt>{t('admin.state')}</dt>
            <dd data-testid="admin-detail-state">{stateText(t, state.data.user)}</dd>
            <dt>{t('admin.roles')}</dt>
            <dd data-testid="admin-detail-roles">{state.data.user.roles.join(', ') || '—'}</dd>
            <dt>{t('admin.detail.sessions')}</dt>
            <dd data-testid="admin-detail-sessions">{state.data.sessions}</dd>
            <dt>{t('admin.detail.devices')}</dt>
            <dd data-testid="admin-detail-devices">{state.data.devices}</dd>
          </dl>
          <p class="confirm">
            <UserActions user={state.data.user} act={act} />
          </p>
          <h3>{t('admin.detail.events')}</h3>
          <Table head={[t('admin.detail.at'), t('admin.detail.event'), t('admin.detail.ip'), t('admin.detail.actor')]} testId="admin-user-events">
            {state.data.events.map((e, i) => (
              <tr key={i} data-type={e.type}>
                <td>{formatTime(e.at, lang)}</td>
                <td class="mono">{e.type}</td>
                <td class="muted">{e.ip ?? '—'}</td>
                <td class="mono" data-testid="admin-event-actor">
                  {e.actorId ? (e.actorId === me?.user.id ? t('admin.detail.you') : e.actorId) : '—'}
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  );
}

function ClientsPanel() {
  const { t } = useI18n();
  const [state, reload] = useEndpoint<OauthClientList>('/api/oauth/clients');
  const [result, setResult] = useState<Result>(null);

  async function create(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const response = await api<OauthClientView>('POST', '/api/oauth/clients', {
      name: String(form.get('name') ?? ''),
      redirect_uris: [String(form.get('redirect') ?? '')],
      type: String(form.get('type') ?? 'confidential'),
    });
    if (!response.ok || !response.data) setResult({ kind: 'error', text: response.error?.message ?? '' });
    else setResult({ kind: 'ok', text: response.data.client_secret ? t('admin.client.secret', { id: response.data.client_id, secret: response.data.client_secret }) : response.data.client_id });
    reload();
  }
  async function rotate(client: OauthClientView) {
    const response = await api<ClientSecretRotated>('POST', `/api/oauth/clients/${encodeURIComponent(client.client_id)}/rotate-secret`, {});
    setResult(response.ok && response.data ? { kind: 'ok', text: t('admin.client.secret', { id: response.data.client_id, secret: response.data.client_secret }) } : { kind: 'error', text: response.error?.message ?? '' });
  }
  async function remove(client: OauthClientView) {
    const response = await api('DELETE', `/api/oauth/clients/${encodeURIComponent(client.client_id)}`, {});
    if (!response.ok) setResult({ kind: 'error', text: response.error?.message ?? '' });
    reload();
  }

  return (
    <section class="panel" aria-labelledby="clients-h">
      <h2 id="clients-h">{t('admin.clients')}</h2>
      {state.status === 'ok' && (
        <Table head={[t('admin.client.name'), 'client_id', t('admin.client.type'), t('admin.client.redirect'), t('admin.actions')]} testId="admin-clients">
          {state.data.clients.map((c) => (
            <tr key={c.client_id} data-testid="admin-client" data-client-id={c.client_id} data-name={c.client_name}>
              <td>
                <strong>{c.client_name}</strong>
              </td>
              <td class="mono">{c.client_id}</td>
              <td>{t(c.client_type === 'public' ? 'admin.client.public' : 'admin.client.confidential')}</td>
              <td class="mono">{c.redirect_uris.join(' ')}</td>
              <td class="actions">
                {c.client_type === 'confidential' && (
                  <button type="button" onClick={() => void rotate(c)} data-testid="admin-client-rotate">
                    {t('admin.client.rotate')}
                  </button>
                )}
                <button type="button" class="danger" onClick={() => void remove(c)} data-testid="admin-client-delete">
                  {t('admin.client.delete')}
                </button>
              </td>
            </tr>
          ))}
        </Table>
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
            <option value="confidential">{t('admin.client.confidential')}</option>
            <option value="public">{t('admin.client.public')}</option>
          </select>
        </label>
        <button type="submit" data-testid="admin-client-create">
          {t('admin.client.create')}
        </button>
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
  const [state] = useEndpoint<Outbox>('/api/admin/outbox');
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
