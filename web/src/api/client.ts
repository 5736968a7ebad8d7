import { createStore } from '../state/store.js';
import { NETWORK_CODE } from '../i18n/error-text.js';
import type { ApiError } from './types.js';

// Every call to the node goes through here: JSON both ways, the bearer token in JWT mode (renewed once
// on a 401), and a record of the request for the "what just happened" page.

export interface ApiResult<T> {
  ok: boolean;
  status: number;
  data: T | null;
  error: ApiError | null;
  /** Which app node answered, when the balancer / node says so in a response header. */
  node: string | null;
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  status: number;
  node: string | null;
  bearer: boolean;
}

export const requestLog = createStore<RequestRecord[]>([]);

interface TokenHooks {
  token(): string | null;
  /** Renews the access token from the refresh cookie; resolves false when that is not possible. */
  refresh(): Promise<boolean>;
}

let tokenHooks: TokenHooks = { token: () => null, refresh: async () => false };

export function setTokenHooks(hooks: TokenHooks): void {
  tokenHooks = hooks;
}

// How a coded error reads in the page's language; app.tsx installs the catalogue's version.
let errorText: (error: ApiError) => string = (error) => error.message;

export function setErrorText(describe: (error: ApiError) => string): void {
  errorText = describe;
}

/** A coded error as the reader sees it (also used for socket acknowledgements). */
export function localizeError<E extends ApiError>(error: E): E {
  return { ...error, message: errorText(error) };
}

const NODE_HEADERS = ['x-gatehouse-node', 'x-served-by', 'x-backend'];

export async function api<T>(method: string, path: string, body?: unknown, options: { retry?: boolean; bearer?: boolean } = {}): Promise<ApiResult<T>> {
  const token = options.bearer === false ? null : tokenHooks.token();
  // content-type: application/json on every call: the CSRF check refuses "simple" cross-site requests,
  // and a JSON body (at least {}) keeps the server's JSON parser happy on body-less POST / DELETE.
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') init.body = JSON.stringify(body ?? {});
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    return { ok: false, status: 0, data: null, error: localizeError({ error: NETWORK_CODE, message: error instanceof Error ? error.message : 'network error' }), node: null };
  }
  const node = NODE_HEADERS.map((name) => response.headers.get(name)).find((value) => value) ?? null;
  requestLog.set((log) => [{ at: Date.now(), method, path, status: response.status, node, bearer: Boolean(token) }, ...log].slice(0, 40));
  if (response.status === 401 && token && options.retry !== false && (await tokenHooks.refresh())) {
    return api<T>(method, path, body, { ...options, retry: false });
  }
  let parsed: unknown = null;
  if (response.status !== 204) {
    const text = await response.text().catch(() => '');
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
  }
  if (response.ok) return { ok: true, status: response.status, data: parsed as T, error: null, node };
  const error = isApiError(parsed) ? parsed : { error: `HTTP_${response.status}`, message: response.statusText || `HTTP ${response.status}` };
  return { ok: false, status: response.status, data: null, error: localizeError(error), node };
}

function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as ApiError).error === 'string' && typeof (value as ApiError).message === 'string';
}
