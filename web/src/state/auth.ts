import { startAuthentication } from '@simplewebauthn/browser';
import { api, setTokenHooks, type ApiResult } from '../api/client.js';
import type { LoginMode, PasskeyCeremony, PrincipalView, SecondFactorRequired, SignupAnswer, TokenResponse, WhoamiAnswer } from '../api/types.js';
import { createStore } from './store.js';

// Who is signed in and how. The JWT access token lives only in this module's memory (never in
// storage a script injected later could read back); a reload renews it from the HttpOnly refresh cookie.

export interface LoginRecord {
  mode: LoginMode;
  at: number;
  status: number;
  node: string | null;
  /** cookie mode: when the sealed cookie expires (from the login response) */
  expiresAt: number | null;
}

export interface AuthState {
  ready: boolean;
  me: PrincipalView | null;
  accessToken: string | null;
  tokenExpiresAt: number | null;
  lastLogin: LoginRecord | null;
}

export const auth = createStore<AuthState>({ ready: false, me: null, accessToken: null, tokenExpiresAt: null, lastLogin: null });

let refreshing: Promise<boolean> | null = null;
let renewTimer: ReturnType<typeof setTimeout> | null = null;

setTokenHooks({ token: () => auth.get().accessToken, refresh: () => refreshAccessToken() });

// Not a secret, only a hint: "a JWT sign-in may be renewable from the refresh cookie". Without it a
// page never probes the refresh endpoint (a signed-out visitor would see a 401 in the console on every
// page); with it a reload, or a new tab, renews the access token first. Kept in localStorage because
// the refresh cookie is shared by every tab.
const JWT_HINT = 'gh.mode';
function hint(on: boolean): void {
  try {
    if (on) localStorage.setItem(JWT_HINT, 'jwt');
    else localStorage.removeItem(JWT_HINT);
  } catch {
    // Storage can be disabled; the hint is only an optimisation.
  }
}
function hinted(): boolean {
  try {
    return localStorage.getItem(JWT_HINT) === 'jwt';
  } catch {
    return false;
  }
}

function keepToken(response: TokenResponse): void {
  hint(true);
  const expiresAt = Date.now() + response.expires_in * 1000;
  auth.set((state) => ({ ...state, accessToken: response.access_token, tokenExpiresAt: expiresAt }));
  if (renewTimer) clearTimeout(renewTimer);
  // Renew a little before expiry so requests and the chat socket never carry a stale token.
  const lead = Math.max(5_000, Math.min(60_000, response.expires_in * 200));
  renewTimer = setTimeout(() => void refreshAccessToken(), Math.max(1_000, response.expires_in * 1000 - lead));
}

function forgetToken(): void {
  hint(false);
  if (renewTimer) clearTimeout(renewTimer);
  renewTimer = null;
  auth.set((state) => ({ ...state, accessToken: null, tokenExpiresAt: null }));
}

/** One refresh at a time: concurrent 401s share it (a second use of a rotated refresh token is theft). */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    const result = await api<TokenResponse>('POST', '/api/auth/jwt/refresh', {}, { bearer: false, retry: false });
    if (result.ok && result.data?.access_token) {
      keepToken(result.data);
      return true;
    }
    forgetToken();
    return false;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Answers 200 signed in or not, so asking never logs an error (GET /api/me answers 401 when signed out). */
export const WHOAMI_PATH = '/api/whoami';

async function whoami(): Promise<PrincipalView | null> {
  const result = await api<WhoamiAnswer>('GET', WHOAMI_PATH);
  return result.ok ? (result.data?.me ?? null) : null;
}

/** Asks the node who we are, once; on a fresh page load a JWT sign-in is recovered from the refresh cookie. */
export async function loadMe(options: { tryRefresh?: boolean } = {}): Promise<PrincipalView | null> {
  if (options.tryRefresh && !auth.get().accessToken && hinted()) await refreshAccessToken();
  let me = await whoami();
  // An access token that expired or was ended meanwhile reads as anonymous: renew it once and ask again.
  if (!me && auth.get().accessToken && (await refreshAccessToken())) me = await whoami();
  auth.set((state) => ({ ...state, ready: true, me }));
  return me;
}

export async function signup(input: { email: string; password: string; name?: string }) {
  return api<SignupAnswer>('POST', '/api/auth/signup', input.name ? input : { email: input.email, password: input.password });
}

/** The password step's answer when the account has a second factor: a ticket, no credential yet. */
type LoginAnswer = Partial<TokenResponse> & { expiresAt?: number } & Partial<SecondFactorRequired>;

async function signedIn(mode: LoginMode, result: ApiResult<LoginAnswer>): Promise<void> {
  if (!result.ok || !result.data || result.data.secondFactorRequired) return;
  // One credential at a time: a JWT kept from an earlier login would otherwise win over the cookie.
  if (mode === 'jwt' && result.data.access_token) keepToken(result.data as TokenResponse);
  else forgetToken();
  auth.set((state) => ({
    ...state,
    lastLogin: { mode, at: Date.now(), status: result.status, node: result.node, expiresAt: typeof result.data?.expiresAt === 'number' ? result.data.expiresAt : null },
  }));
  await loadMe();
}

/** The password step; with a second factor set up, the answer holds only the ticket for `loginSecondFactor`. */
export async function login(mode: LoginMode, credentials: { email: string; password: string }) {
  const result = await api<LoginAnswer>('POST', `/api/auth/${mode}/login`, credentials, { bearer: false, retry: false });
  await signedIn(mode, result);
  return result;
}

/** The second step: the ticket and a code from the authenticator app (or a recovery code). */
export async function loginSecondFactor(mode: LoginMode, ticket: string, code: string) {
  const result = await api<LoginAnswer>('POST', `/api/auth/${mode}/login/second-factor`, { ticket, code }, { bearer: false, retry: false });
  await signedIn(mode, result);
  return result;
}

/** A passkey assertion for a fresh sign-in ceremony; null (with the error) when the browser or user declined. */
export async function passkeyAssertion(): Promise<{ ceremony: string; response: unknown } | { error: string }> {
  const options = await api<PasskeyCeremony>('POST', '/api/auth/passkey/options', {}, { bearer: false, retry: false });
  if (!options.ok || !options.data) return { error: options.error?.message ?? 'failed' };
  try {
    return { ceremony: options.data.ceremony, response: await startAuthentication({ optionsJSON: options.data.options as Parameters<typeof startAuthentication>[0]['optionsJSON'] }) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : 'passkey failed' };
  }
}

/** Sign in with a passkey alone, in the chosen mode. */
export async function loginWithPasskey(mode: LoginMode) {
  const assertion = await passkeyAssertion();
  if ('error' in assertion) return { ok: false, status: 0, data: null, error: { error: 'GH_WEB_PASSKEY', message: assertion.error }, node: null } as ApiResult<LoginAnswer>;
  const result = await api<LoginAnswer>('POST', `/api/auth/${mode}/login/passkey`, assertion, { bearer: false, retry: false });
  await signedIn(mode, result);
  return result;
}

/** The second step with a passkey instead of a code. */
export async function secondFactorWithPasskey(mode: LoginMode, ticket: string) {
  const assertion = await passkeyAssertion();
  if ('error' in assertion) return { ok: false, status: 0, data: null, error: { error: 'GH_WEB_PASSKEY', message: assertion.error }, node: null } as ApiResult<LoginAnswer>;
  const result = await api<LoginAnswer>('POST', `/api/auth/${mode}/login/second-factor`, { ticket, ceremony: assertion.ceremony, passkey: assertion.response }, { bearer: false, retry: false });
  await signedIn(mode, result);
  return result;
}

export async function logout(): Promise<void> {
  const kind = auth.get().me?.credential.kind;
  if (kind === 'jwt') await api('POST', '/api/auth/jwt/logout', {});
  else if (kind === 'session') await api('POST', '/api/auth/session/logout', {});
  else if (kind === 'cookie') await api('POST', '/api/auth/cookie/logout', {});
  forgetToken();
  await loadMe();
}

/** After "log out everywhere" or a revoked current session: drop what this page still holds. */
export async function afterCredentialsEnded(): Promise<void> {
  forgetToken();
  await loadMe();
}
