import type { MsgKey } from '../i18n/messages.js';
import type { GrantView, PrincipalView, SessionView } from '../api/types.js';
import type { DecodedJwt, SignatureVerdict } from './jwt.js';
import type { VisibleCookie } from './cookies.js';

// The note's numbered lists (쿠키 1–4, 세션, JWT, OAuth 과정 1–5) as data, filled with what this browser
// actually saw. Pure: the page renders them, the tests check them.

export type FactValue = string | { msg: MsgKey; vars?: Record<string, string | number> };

export interface Fact {
  label: MsgKey;
  value: FactValue;
  /** Render in a monospace block (JSON, tokens). */
  code?: boolean;
}

export interface Step {
  n: number;
  title: MsgKey;
  seen: boolean;
  facts: Fact[];
  note?: MsgKey;
}

export interface Observed {
  me: PrincipalView | null;
  lastLogin: { mode: string; at: number; status: number; node: string | null; expiresAt: number | null } | null;
  /** The last GET /api/me this tab made. */
  /** The page's last who-am-I request (GET /api/whoami on page load, /api/me from elsewhere). */
  lastMe: { at: number; status: number; node: string | null; path?: string } | null;
  session: SessionView | null;
  token: DecodedJwt | null;
  tokenExpiresAt: number | null;
  verdict: SignatureVerdict | 'checking' | null;
  visibleCookies: VisibleCookie[];
  grant: GrantView | null;
  now: number;
}

/** The server's cookie policy (docs/architecture.md, "HTTP"); scripts cannot read Set-Cookie to learn it. */
export const COOKIE_POLICY = {
  auth: { name: '__Host-gh.auth', flags: 'HttpOnly; Secure; SameSite=Lax; Path=/' },
  session: { name: '__Host-gh.sid', flags: 'HttpOnly; Secure; SameSite=Lax; Path=/' },
  refresh: { name: '__Secure-gh.rt', flags: 'HttpOnly; Secure; SameSite=Strict; Path=/api/auth/jwt' },
} as const;

export type Fmt = (ms: number) => string;
const iso: Fmt = (ms) => new Date(ms).toISOString();

function requestFacts(method: string, path: string, record: { at: number; status: number; node: string | null } | null, fmt: Fmt): Fact[] {
  const facts: Fact[] = [{ label: 'fact.request', value: `${method} ${path}` }];
  if (record) {
    facts.push({ label: 'fact.status', value: String(record.status) }, { label: 'fact.at', value: fmt(record.at) });
    if (record.node) facts.push({ label: 'fact.node', value: record.node });
  }
  return facts;
}

function who(me: PrincipalView): string {
  return `${me.user.name ?? me.user.email} (${me.user.id})`;
}

export function cookieSteps(o: Observed, fmt: Fmt = iso): Step[] {
  const login = o.lastLogin?.mode === 'cookie' ? o.lastLogin : null;
  const active = o.me?.credential.kind === 'cookie' ? o.me : null;
  const expiresAt = active?.credential.expiresAt ?? login?.expiresAt ?? null;
  return [
    { n: 1, title: 'explain.cookie.1', seen: Boolean(login || active), facts: requestFacts('POST', '/api/auth/cookie/login', login, fmt) },
    {
      n: 2,
      title: 'explain.cookie.2',
      seen: Boolean(login?.status === 200 || active),
      facts: [
        { label: 'fact.cookieName', value: COOKIE_POLICY.auth.name },
        { label: 'fact.flags', value: COOKIE_POLICY.auth.flags },
        { label: 'fact.value', value: { msg: 'fact.valueHidden' } },
        ...(expiresAt ? [{ label: 'fact.expires', value: fmt(expiresAt) } satisfies Fact] : []),
      ],
      note: 'explain.httponly',
    },
    {
      n: 3,
      title: 'explain.cookie.3',
      seen: Boolean(active && o.lastMe),
      facts: [...requestFacts('GET', o.lastMe?.path ?? '/api/me', active ? o.lastMe : null, fmt), { label: 'fact.sentBy', value: { msg: 'fact.sentBy.browser' } }],
    },
    {
      n: 4,
      title: 'explain.cookie.4',
      seen: Boolean(active),
      facts: active ? [{ label: 'fact.user', value: who(active) }, { label: 'fact.credential', value: 'cookie (sealed: encrypted + authenticated, stateless)' }] : [],
    },
  ];
}

export function sessionSteps(o: Observed, fmt: Fmt = iso): Step[] {
  const login = o.lastLogin?.mode === 'session' ? o.lastLogin : null;
  const active = o.me?.credential.kind === 'session' ? o.me : null;
  const record = active ? o.session : null;
  return [
    { n: 1, title: 'explain.session.1', seen: Boolean(login || active), facts: requestFacts('POST', '/api/auth/session/login', login, fmt) },
    {
      n: 2,
      title: 'explain.session.2',
      seen: Boolean(login?.status === 200 || active),
      facts: [
        { label: 'fact.cookieName', value: COOKIE_POLICY.session.name },
        { label: 'fact.flags', value: COOKIE_POLICY.session.flags },
        { label: 'fact.value', value: { msg: 'fact.valueHidden' } },
      ],
      note: 'explain.httponly',
    },
    {
      n: 3,
      title: 'explain.session.3',
      seen: Boolean(active && o.lastMe),
      facts: [...requestFacts('GET', o.lastMe?.path ?? '/api/me', active ? o.lastMe : null, fmt), { label: 'fact.sentBy', value: { msg: 'fact.sentBy.browser' } }],
    },
    {
      n: 4,
      title: 'explain.session.4',
      seen: Boolean(record),
      facts: record
        ? [
            { label: 'fact.sessionId', value: record.id },
            { label: 'fact.user', value: active ? who(active) : '' },
            { label: 'fact.created', value: fmt(record.createdAt) },
            { label: 'fact.lastSeen', value: fmt(record.lastSeenAt) },
            { label: 'fact.ip', value: record.ip ?? '—' },
            { label: 'fact.userAgent', value: record.userAgent ?? '—' },
          ]
        : [],
      note: 'fact.storeNote',
    },
    {
      n: 5,
      title: 'explain.session.5',
      seen: Boolean(record),
      facts: record
        ? [
            { label: 'fact.idleExpiry', value: fmt(record.idleExpiresAt) },
            { label: 'fact.absoluteExpiry', value: fmt(record.absoluteExpiresAt) },
            { label: 'fact.flags', value: COOKIE_POLICY.session.flags },
          ]
        : [],
    },
  ];
}

export function jwtSteps(o: Observed, fmt: Fmt = iso): Step[] {
  const login = o.lastLogin?.mode === 'jwt' ? o.lastLogin : null;
  const token = o.token;
  const verdict = o.verdict;
  const left = o.tokenExpiresAt ? Math.max(0, Math.round((o.tokenExpiresAt - o.now) / 1000)) : null;
  let check: FactValue = '—';
  if (verdict === 'checking') check = { msg: 'explain.verify.checking' };
  else if (verdict?.state === 'valid') check = { msg: 'explain.verify.valid', vars: { kid: verdict.kid ?? '?', alg: verdict.alg } };
  else if (verdict?.state === 'invalid') check = { msg: 'explain.verify.invalid', vars: { reason: verdict.reason } };
  else if (verdict?.state === 'unsupported') check = { msg: 'explain.verify.unsupported', vars: { alg: verdict.alg } };
  else if (verdict?.state === 'unavailable') check = { msg: 'explain.verify.unavailable', vars: { reason: verdict.reason } };
  return [
    {
      n: 1,
      title: 'explain.jwt.1',
      seen: Boolean(login || token),
      facts: [...requestFacts('POST', '/api/auth/jwt/login', login, fmt), ...(token ? [{ label: 'fact.tokenKept', value: { msg: 'fact.tokenKept.memory' } } satisfies Fact] : [])],
    },
    {
      n: 2,
      title: 'explain.jwt.2',
      seen: Boolean(token),
      facts: token ? [{ label: 'fact.header', value: JSON.stringify(token.header, null, 2), code: true }, { label: 'fact.value', value: token.parts.header, code: true }] : [],
    },
    {
      n: 3,
      title: 'explain.jwt.3',
      seen: Boolean(token),
      facts: token ? [{ label: 'fact.payload', value: JSON.stringify(token.payload, null, 2), code: true }, { label: 'fact.value', value: token.parts.payload, code: true }] : [],
    },
    {
      n: 4,
      title: 'explain.jwt.4',
      seen: Boolean(token),
      facts: token
        ? [
            { label: 'fact.signature', value: token.parts.signature, code: true },
            { label: 'fact.value', value: { msg: 'fact.signatureBytes', vars: { bytes: token.signatureBytes } } },
            { label: 'fact.check', value: check },
            { label: 'fact.sentAs', value: 'Authorization: Bearer <token>' },
          ]
        : [],
    },
    {
      n: 5,
      title: 'explain.jwt.5',
      seen: Boolean(token),
      facts: token
        ? [
            ...(left !== null ? [{ label: 'fact.expiresIn', value: `${left} s` } satisfies Fact] : []),
            { label: 'fact.refresh', value: { msg: 'fact.refresh.value' } },
          ]
        : [],
    },
  ];
}

export function oauthSteps(o: Observed, fmt: Fmt = iso): Step[] {
  const grant = o.grant;
  const client = grant ? (grant.clientName ? `${grant.clientName} (${grant.clientId})` : grant.clientId) : null;
  const facts = (list: Fact[]): Fact[] => (grant ? list : []);
  return [
    { n: 1, title: 'explain.oauth.1', seen: Boolean(grant), facts: facts([{ label: 'fact.client', value: client ?? '' }]) },
    { n: 2, title: 'explain.oauth.2', seen: Boolean(grant), facts: facts([{ label: 'fact.endpoint', value: 'GET /oidc/auth?response_type=code&client_id=…&code_challenge=…' }]) },
    {
      n: 3,
      title: 'explain.oauth.3',
      seen: Boolean(grant),
      facts: facts([
        { label: 'fact.scopes', value: grant?.scopes.join(' ') ?? '' },
        ...(grant?.createdAt ? [{ label: 'fact.granted', value: fmt(grant.createdAt) } satisfies Fact] : []),
      ]),
    },
    { n: 4, title: 'explain.oauth.4', seen: Boolean(grant), facts: facts([{ label: 'fact.endpoint', value: 'POST /oidc/token (grant_type=authorization_code, code_verifier=…)' }]) },
    { n: 5, title: 'explain.oauth.5', seen: Boolean(grant), facts: facts([{ label: 'fact.endpoint', value: 'GET /oidc/me · GET /api/me (Authorization: Bearer)' }]) },
  ];
}
