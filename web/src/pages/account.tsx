import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { AppList, AppView, AuditEventList, OthersRevoked, SessionList, SessionView } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { LinkedProviders } from '../federation/linked-providers.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import { formatTime } from '../lib/format.js';
import { afterCredentialsEnded, auth } from '../state/auth.js';
import { useStore } from '../state/store.js';
import { SelfServiceSections } from './account-self-service.js';
import { FactorsSection } from './account-factors.js';
import { PasskeysSection } from './account-passkeys.js';

export function AccountPage() {
  const { t, lang } = useI18n();
  const { me, ready } = useStore(auth);
  if (!ready) return <p>{t('common.loading')}</p>;
  if (!me) {
    return (
      <section>
        <h1>{t('account.title')}</h1>
        <p>
          {t('common.signInFirst')} <a href="/login">{t('nav.login')}</a>
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1>{t('account.title')}</h1>
      <div class="grid">
        <section class="panel" aria-labelledby="profile-h">
          <h2 id="profile-h">{t('account.profile')}</h2>
          <dl class="facts" data-testid="profile">
            <dt>{t('auth.email')}</dt>
            <dd>{me.user.email}</dd>
            <dt>{t('account.name')}</dt>
            <dd>{me.user.name ?? '—'}</dd>
            <dt>{t('account.id')}</dt>
            <dd class="mono">{me.user.id}</dd>
            <dt>{t('account.roles')}</dt>
            <dd>{me.user.roles.join(', ') || '—'}</dd>
            <dt>{t('account.credential')}</dt>
            <dd data-testid="credential-kind">{me.credential.kind}</dd>
            <dt>{t('account.expires')}</dt>
            <dd>{me.credential.expiresAt ? formatTime(me.credential.expiresAt, lang) : '—'}</dd>
          </dl>
        </section>
        <PasswordSection />
      </div>
      <FactorsSection />
      <PasskeysSection />
      <SessionsSection />
      <AppsSection />
      <LinkedProviders />
      <AuditSection />
      <EverywhereSection />
      <SelfServiceSections />
    </section>
  );
}

/** Every device signed in to the account: server sessions and JWT sign-ins, each revocable. */
function SessionsSection() {
  const { t, lang } = useI18n();
  const [state, reload] = useEndpoint<SessionList>('/api/auth/sessions');
  const [message, setMessage] = useState<string | null>(null);
  if (state.status === 'missing') return null;
  async function revoke(session: SessionView) {
    const result = await api('DELETE', `/api/auth/sessions/${encodeURIComponent(session.id)}`);
    setMessage(result.ok ? null : (result.error?.message ?? 'failed'));
    if (session.current) await afterCredentialsEnded();
    reload();
  }
  async function revokeOthers() {
    const result = await api<OthersRevoked>('POST', '/api/auth/sessions/revoke-others', {});
    setMessage(result.ok ? t('account.sessions.revokedOthers', { count: result.data?.revoked ?? 0 }) : (result.error?.message ?? 'failed'));
    reload();
  }
  return (
    <section class="panel" aria-labelledby="sessions-h">
      <h2 id="sessions-h">{t('account.sessions')}</h2>
      {state.status === 'loading' && <p>{t('common.loading')}</p>}
      {state.status === 'error' && <Notice kind="error">{t('common.error', { message: state.error.message })}</Notice>}
      {state.status === 'ok' && (
        <>
          {state.data.sessions.length === 0 ? (
            <p>{t('common.none')}</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="sessions">
                <thead>
                  <tr>
                    <th scope="col">{t('account.sessions.client')}</th>
                    <th scope="col">{t('account.sessions.kind')}</th>
                    <th scope="col">{t('account.sessions.ip')}</th>
                    <th scope="col">{t('account.sessions.created')}</th>
                    <th scope="col">{t('account.sessions.lastSeen')}</th>
                    <th scope="col">
                      <span class="sr-only">{t('common.revoke')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {state.data.sessions.map((s) => (
                    <tr key={s.id} data-current={s.current ? 'true' : undefined} data-kind={s.kind}>
                      <td data-label={t('account.sessions.client')}>
                        {s.current && <strong>{t('common.current')} · </strong>}
                        <span class="ua">{s.userAgent ?? '—'}</span>
                      </td>
                      <td data-label={t('account.sessions.kind')}>{t(s.kind === 'jwt' ? 'account.sessions.kind.jwt' : 'account.sessions.kind.session')}</td>
                      <td class="mono" data-label={t('account.sessions.ip')}>{s.ip ?? '—'}</td>
                      <td data-label={t('account.sessions.created')}>{formatTime(s.createdAt, lang)}</td>
                      <td data-label={t('account.sessions.lastSeen')}>{formatTime(s.lastSeenAt, lang)}</td>
                      <td>
                        <button type="button" onClick={() => void revoke(s)} aria-label={`${t('common.revoke')}: ${s.userAgent ?? s.id}`}>
                          {t('common.revoke')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <button type="button" onClick={() => void revokeOthers()} data-testid="revoke-others">
            {t('account.sessions.revokeOthers')}
          </button>
        </>
      )}
      {message && <Notice>{message}</Notice>}
    </section>
  );
}

function PasswordSection() {
  const { t } = useI18n();
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const response = await api('POST', '/api/auth/password', { currentPassword: String(data.get('currentPassword') ?? ''), newPassword: String(data.get('newPassword') ?? '') });
    if (response.status === 404) return setResult({ ok: false, text: t('common.unavailable') });
    setResult(response.ok ? { ok: true, text: t('account.password.changed') } : { ok: false, text: response.error?.message ?? 'failed' });
    if (response.ok) form.reset();
  }
  return (
    <section class="panel" aria-labelledby="password-h">
      <h2 id="password-h">{t('account.password')}</h2>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <label>
          {t('account.password.current')}
          <input name="currentPassword" type="password" required autoComplete="current-password" />
        </label>
        <label>
          {t('account.password.new')}
          <input name="newPassword" type="password" required minLength={8} autoComplete="new-password" />
        </label>
        <button type="submit">{t('common.save')}</button>
      </form>
      {result && <Notice kind={result.ok ? 'ok' : 'error'}>{result.text}</Notice>}
    </section>
  );
}

/** One entry per app the user allowed; revoking it ends every grant, token and socket of that app. */
function AppsSection() {
  const { t, lang } = useI18n();
  const [state, reload] = useEndpoint<AppList>('/api/oauth/apps');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (state.status !== 'ok') return null;
  async function revoke(app: AppView) {
    const name = app.clientName ?? app.clientId;
    const result = await api('DELETE', `/api/oauth/apps/${encodeURIComponent(app.clientId)}`);
    setMessage(result.ok ? { ok: true, text: t('account.apps.revoked', { name }) } : { ok: false, text: result.error?.message ?? 'failed' });
    reload();
  }
  return (
    <section class="panel" aria-labelledby="apps-h">
      <h2 id="apps-h">{t('account.apps')}</h2>
      <p class="muted">{t('account.apps.hint')}</p>
      {state.data.apps.length === 0 ? (
        <p data-testid="apps-empty">{t('account.apps.empty')}</p>
      ) : (
        <ul class="rows" data-testid="apps">
          {state.data.apps.map((app) => (
            <li key={app.clientId} data-client={app.clientId}>
              <span>
                <strong>{app.clientName ?? app.clientId}</strong> — {t('account.apps.scopes')}: <code>{app.scopes.join(' ') || '—'}</code>
                <span class="muted">
                  {' '}
                  · {t('account.apps.since')} {formatTime(app.firstGrantedAt, lang)}
                </span>
              </span>
              <button type="button" onClick={() => void revoke(app)} aria-label={`${t('common.revoke')}: ${app.clientName ?? app.clientId}`}>
                {t('common.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {message && <Notice kind={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
    </section>
  );
}

function AuditSection() {
  const { t, lang } = useI18n();
  // An admin is answered everyone's events, each with its user's email: the table then says whose each row is.
  const [state] = useEndpoint<AuditEventList>('/api/audit?limit=20');
  if (state.status !== 'ok') return null;
  const showsOwners = state.data.events.some((e) => e.userEmail !== undefined);
  return (
    <section class="panel" aria-labelledby="audit-h">
      <h2 id="audit-h">{t('account.audit')}</h2>
      <div class="table-wrap">
        <table data-testid="audit">
          <thead>
            <tr>
              <th scope="col">{t('account.audit.when')}</th>
              {showsOwners && <th scope="col">{t('account.audit.who')}</th>}
              <th scope="col">{t('account.audit.what')}</th>
              <th scope="col">{t('account.audit.from')}</th>
            </tr>
          </thead>
          <tbody>
            {state.data.events.map((e) => (
              <tr key={e.id}>
                <td data-label={t('account.audit.when')}>{formatTime(e.at, lang)}</td>
                {showsOwners && (
                  <td data-label={t('account.audit.who')} data-testid="audit-owner">
                    {e.userEmail ?? '—'}
                  </td>
                )}
                <td data-label={t('account.audit.what')}>
                  <code>{e.type}</code>
                </td>
                <td class="muted" data-label={t('account.audit.from')}>{e.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function EverywhereSection() {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  // A second, explicit button instead of window.confirm(): keyboard- and test-friendly.
  const [asking, setAsking] = useState(false);
  async function run() {
    setAsking(false);
    const result = await api('POST', '/api/auth/logout-everywhere', {});
    if (!result.ok) return setError(result.error?.message ?? 'failed');
    await afterCredentialsEnded();
  }
  return (
    <section class="panel danger" aria-labelledby="everywhere-h">
      <h2 id="everywhere-h">{t('account.everywhere')}</h2>
      <p>{t('account.everywhere.hint')}</p>
      {asking ? (
        <p class="confirm" role="group" aria-label={t('account.everywhere.confirm')}>
          <span>{t('account.everywhere.confirm')}</span>{' '}
          <button type="button" class="danger" onClick={() => void run()} data-testid="logout-everywhere-confirm">
            {t('common.yes')}
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)}>
            {t('common.no')}
          </button>
        </p>
      ) : (
        <button type="button" class="danger" onClick={() => setAsking(true)} data-testid="logout-everywhere">
          {t('account.everywhere')}
        </button>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
