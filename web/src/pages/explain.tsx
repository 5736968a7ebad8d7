import { useEffect, useMemo, useState } from 'preact/hooks';
import type { JSONWebKeySet } from 'jose';
import { api, requestLog } from '../api/client.js';
import type { GrantList, GrantView, SessionList, SessionView } from '../api/types.js';
import { useI18n, type Translate } from '../i18n/i18n.js';
import { parseCookieHeader } from '../lib/cookies.js';
import { formatClock, formatTime } from '../lib/format.js';
import { decodeToken, type SignatureVerdict } from '../lib/jwt.js';
import { verifyInBrowser } from '../lib/jwt-verify.js';
import { cookieSteps, jwtSteps, oauthSteps, sessionSteps, type FactValue, type Observed, type Step } from '../lib/steps.js';
import { WHOAMI_PATH, auth, loadMe } from '../state/auth.js';
import { useStore } from '../state/store.js';

type Tab = 'cookie' | 'session' | 'jwt' | 'oauth';
const TABS: Tab[] = ['cookie', 'session', 'jwt', 'oauth'];

export function ExplainPage() {
  const { t, lang } = useI18n();
  const state = useStore(auth);
  const log = useStore(requestLog);
  const current = state.me?.credential.kind ?? null;
  const [tab, setTab] = useState<Tab>(current ?? 'cookie');
  const [session, setSession] = useState<SessionView | null>(null);
  const [grant, setGrant] = useState<GrantView | null>(null);
  const [verdict, setVerdict] = useState<SignatureVerdict | 'checking' | null>(null);
  const [now, setNow] = useState(Date.now());

  // A fresh GET /api/me, so step 3 ("the client sends the credential back") shows a real request.
  useEffect(() => {
    void loadMe();
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (current) setTab(current);
  }, [current]);

  useEffect(() => {
    if (current !== 'session') return setSession(null);
    void api<SessionList>('GET', '/api/auth/sessions').then((r) => setSession(r.ok ? (r.data?.sessions.find((s) => s.current) ?? null) : null));
  }, [current, state.me?.credential.id]);

  useEffect(() => {
    if (!state.me) return setGrant(null);
    void api<GrantList>('GET', '/api/oauth/grants').then((r) => {
      const newest = r.ok ? [...(r.data?.grants ?? [])].sort((a, b) => b.createdAt - a.createdAt)[0] : undefined;
      setGrant(newest ?? null);
    });
  }, [state.me?.user.id]);

  const token = state.accessToken;
  const decoded = useMemo(() => (token ? decodeToken(token) : null), [token]);
  useEffect(() => {
    if (!token) return setVerdict(null);
    setVerdict('checking');
    let live = true;
    void api<JSONWebKeySet>('GET', '/.well-known/jwks.json', undefined, { bearer: false }).then(async (r) => {
      const result: SignatureVerdict = r.ok && r.data ? await verifyInBrowser(token, r.data) : { state: 'unavailable', reason: r.error?.message ?? 'no JWKS' };
      if (live) setVerdict(result);
    });
    return () => {
      live = false;
    };
  }, [token]);

  const anyNode = log.some((entry) => entry.node);
  const lastMe = log.find((entry) => entry.method === 'GET' && (entry.path === '/api/me' || entry.path === WHOAMI_PATH)) ?? null;
  const observed: Observed = {
    me: state.me,
    lastLogin: state.lastLogin,
    lastMe,
    session,
    token: decoded,
    tokenExpiresAt: state.tokenExpiresAt,
    verdict,
    visibleCookies: parseCookieHeader(document.cookie),
    grant,
    now,
  };
  const fmt = (ms: number) => formatTime(ms, lang);
  const steps: Record<Tab, Step[]> = { cookie: cookieSteps(observed, fmt), session: sessionSteps(observed, fmt), jwt: jwtSteps(observed, fmt), oauth: oauthSteps(observed, fmt) };
  const empty: Record<Tab, boolean> = {
    cookie: current !== 'cookie' && state.lastLogin?.mode !== 'cookie',
    session: current !== 'session' && state.lastLogin?.mode !== 'session',
    jwt: !decoded,
    oauth: !grant,
  };
  const emptyText = { cookie: t('explain.cookie.none'), session: t('explain.session.none'), jwt: t('explain.jwt.none'), oauth: t('explain.oauth.none') };
  const label = { cookie: t('auth.mode.cookie'), session: t('auth.mode.session'), jwt: t('auth.mode.jwt'), oauth: 'OAuth' };

  return (
    <section>
      <h1>{t('explain.title')}</h1>
      <p class="lead">{t('explain.lead')}</p>
      <div class="tabs" role="group" aria-label={t('explain.mode')}>
        {TABS.map((name) => (
          <button key={name} type="button" aria-pressed={tab === name} onClick={() => setTab(name)} data-testid={`explain-tab-${name}`}>
            {label[name]}
            {current === name && <span class="badge">{t('explain.current')}</span>}
          </button>
        ))}
      </div>
      <section class="panel" aria-labelledby="steps-h" data-testid={`steps-${tab}`}>
        <h2 id="steps-h">{label[tab]}</h2>
        {empty[tab] && <p class="notice notice-info">{emptyText[tab]}</p>}
        {(tab === 'cookie' || tab === 'session') && <p class="hint">{t('explain.setCookieHidden')}</p>}
        <StepList steps={steps[tab]} t={t} />
      </section>
      <section class="panel" aria-labelledby="visible-h">
        <h2 id="visible-h">{t('explain.visibleCookies')}</h2>
        <ul class="rows mono" data-testid="visible-cookies">
          {observed.visibleCookies.length === 0 && <li>{t('common.none')}</li>}
          {observed.visibleCookies.map((c) => (
            <li key={c.name}>
              {c.name}={c.value}
            </li>
          ))}
        </ul>
        <p class="hint">{t('explain.visibleCookies.note')}</p>
      </section>
      <section class="panel" aria-labelledby="requests-h">
        <h2 id="requests-h">{t('explain.requests')}</h2>
        <div class="table-wrap">
          <table data-testid="request-log">
            <thead>
              <tr>
                <th scope="col">{t('explain.request.when')}</th>
                <th scope="col">{t('explain.request.what')}</th>
                <th scope="col">{t('explain.request.status')}</th>
                {anyNode && <th scope="col">{t('explain.request.node')}</th>}
              </tr>
            </thead>
            <tbody>
              {log.slice(0, 15).map((entry, i) => (
                <tr key={`${entry.at}-${i}`}>
                  <td>{formatClock(entry.at, lang)}</td>
                  <td class="mono">
                    {entry.method} {entry.path}
                    {entry.bearer ? ' (Bearer)' : ''}
                  </td>
                  <td>{entry.status}</td>
                  {anyNode && <td class="mono">{entry.node ?? '—'}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </section>
  );
}

function render(value: FactValue, t: Translate): string {
  return typeof value === 'string' ? value : t(value.msg, value.vars);
}

function StepList({ steps, t }: { steps: Step[]; t: Translate }) {
  return (
    <ol class="steps">
      {steps.map((step) => (
        <li key={step.n} class={step.seen ? 'seen' : 'pending'} data-seen={step.seen ? 'true' : 'false'}>
          <h3>
            <span class="step-n">{step.n}</span> {t(step.title)} <span class="muted small-text">({t(step.seen ? 'explain.seen' : 'explain.pending')})</span>
          </h3>
          {step.facts.length > 0 && (
            <dl class="facts">
              {step.facts.map((fact, i) => (
                <div key={i} class="fact">
                  <dt>{t(fact.label)}</dt>
                  <dd>{fact.code ? <pre class="code">{render(fact.value, t)}</pre> : render(fact.value, t)}</dd>
                </div>
              ))}
            </dl>
          )}
          {step.note && step.seen && <p class="hint">{t(step.note)}</p>}
        </li>
      ))}
    </ol>
  );
}
