import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { AuditEvent, SessionRecord } from '../api/types.js';
import { Notice } from '../components/notice.js';
import { LinkedProviders } from '../federation/linked-providers.js';
import { useEndpoint } from '../components/use-endpoint.js';
import { useI18n } from '../i18n/i18n.js';
import { formatTime } from '../lib/format.js';
import { toGrantView } from '../lib/steps.js';
import { afterCredentialsEnded, auth } from '../state/auth.js';
import { useStore } from '../state/store.js';

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
      <SessionsSection />
      <GrantsSection />
      <LinkedProviders />
      <AuditSection />
      <EverywhereSection />
    </section>
  );
}

function SessionsSection() {
  const { t, lang } = useI18n();
  const [state, reload] = useEndpoint<{ sessions: SessionRecord[] }>('/api/auth/sessions');
  const [message, setMessage] = useState<string | null>(null);
  if (state.status === 'missing') return null;
  async function revoke(session: SessionRecord) {
    const result = await api('DELETE', `/api/auth/sessions/${encodeURIComponent(session.id)}`);
    setMessage(result.ok ? null : (result.error?.message ?? 'failed'));
    if (session.current) await afterCredentialsEnded();
    reload();
  }
  async function revokeOthers() {
    const result = await api<{ revoked: number }>('POST', '/api/auth/sessions/revoke-others', {});
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
                    <th scope="col">{t('account.sessions.created')}</th>
                    <th scope="col">{t('account.sessions.lastSeen')}</th>
                    <th scope="col">{t('account.sessions.idle')}</th>
                    <th scope="col">
                      <span class="sr-only">{t('common.revoke')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {state.data.sessions.map((s) => (
                    <tr key={s.id} data-current={s.current ? 'true' : undefined}>
                      <td>
                        {s.current && <strong>{t('common.current')} · </strong>}
                        <span class="ua">{s.userAgent ?? '—'}</span> <span class="muted">{s.ip ?? ''}</span>
                      </td>
                      <td>{formatTime(s.createdAt, lang)}</td>
                      <td>{formatTime(s.lastSeenAt, lang)}</td>
                      <td>{formatTime(Math.min(s.idleExpiresAt, s.absoluteExpiresAt), lang)}</td>
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

function GrantsSection() {
  const { t, lang } = useI18n();
  const [state, reload] = useEndpoint<unknown>('/api/oauth/grants');
  if (state.status === 'missing' || state.status === 'loading') return null;
  if (state.status === 'error') return null;
  const raw = state.data as { grants?: unknown[] } | unknown[];
  const grants = (Array.isArray(raw) ? raw : (raw.grants ?? [])).map(toGrantView).filter((g) => g !== null);
  async function revoke(id: string) {
    await api('DELETE', `/api/oauth/grants/${encodeURIComponent(id)}`);
    reload();
  }
  return (
    <section class="panel" aria-labelledby="grants-h">
      <h2 id="grants-h">{t('account.grants')}</h2>
      {grants.length === 0 ? (
        <p>{t('account.grants.empty')}</p>
      ) : (
        <ul class="rows" data-testid="grants">
          {grants.map((g) => (
            <li key={g.id}>
              <span>
                <strong>{g.clientName ?? g.clientId}</strong> — {t('account.grants.scopes')}: <code>{g.scopes.join(' ') || '—'}</code>
                {g.createdAt ? <span class="muted"> · {formatTime(g.createdAt, lang)}</span> : null}
              </span>
              <button type="button" onClick={() => void revoke(g.id)} aria-label={`${t('common.revoke')}: ${g.clientName ?? g.clientId}`}>
                {t('common.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AuditSection() {
  const { t, lang } = useI18n();
  const [state] = useEndpoint<{ events: AuditEvent[] }>('/api/audit?limit=20');
  if (state.status !== 'ok') return null;
  return (
    <section class="panel" aria-labelledby="audit-h">
      <h2 id="audit-h">{t('account.audit')}</h2>
      <div class="table-wrap">
        <table data-testid="audit">
          <thead>
            <tr>
              <th scope="col">{t('account.audit.when')}</th>
              <th scope="col">{t('account.audit.what')}</th>
              <th scope="col">{t('account.audit.from')}</th>
            </tr>
          </thead>
          <tbody>
            {state.data.events.map((e) => (
              <tr key={e.id}>
                <td>{formatTime(e.at, lang)}</td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td class="muted">{e.ip ?? '—'}</td>
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
