import type { CookieSerializeOptions } from '@fastify/cookie';
import { COOKIE_NAMES, PLAIN_COOKIE_NAMES } from './names.js';

export type CookieKind = 'session' | 'auth' | 'refresh' | 'preference';

export interface CookiePolicy {
  secure: boolean;
  /** Names actually used: the __Host-/__Secure- names, or plain fallbacks (gh.sid, gh.auth, gh.rt) on a plain-HTTP non-localhost origin. */
  names: { session: string; auth: string; refresh: string; theme: string; lang: string };
  /** One startup warning when falling back. */
  warning: string | null;
  /** Options for @fastify/cookie's reply.setCookie: HttpOnly, Secure, SameSite, Path per kind. */
  options(kind: CookieKind, maxAgeSec?: number): CookieSerializeOptions;
}

const YEAR_SEC = 365 * 24 * 3600;

/**
 * Whether browsers treat the origin as a secure context and so keep Secure (and prefixed) cookies set
 * over it: HTTPS, and loopback hosts even over plain HTTP (W3C Secure Contexts, "potentially
 * trustworthy"; Chromium keeps Secure cookies on http://localhost — src/cookies/browser-cookies.test.ts
 * checks this in a real Chromium).
 */
export function isPotentiallyTrustworthy(origin: URL): boolean {
  if (origin.protocol === 'https:' || origin.protocol === 'wss:') return true;
  const host = origin.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(host)) return true;
  return host === '[::1]';
}

/**
 * Cookie flags for this node's public origin. `secure: 'auto'` turns Secure on wherever browsers
 * honour it; on a plain-HTTP origin that is not local no Secure cookie would be kept, so the policy
 * falls back to plain names without Secure and says so once.
 */
export function createCookiePolicy(input: { origin: string; secure: 'auto' | boolean }): CookiePolicy {
  const origin = new URL(input.origin);
  const trustworthy = isPotentiallyTrustworthy(origin);
  const secure = input.secure === 'auto' ? trustworthy : input.secure;
  const prefixed = secure && trustworthy;
  const names = prefixed ? { ...COOKIE_NAMES } : { ...PLAIN_COOKIE_NAMES };
  let warning: string | null = null;
  if (!prefixed) {
    const plain = `${PLAIN_COOKIE_NAMES.session}, ${PLAIN_COOKIE_NAMES.auth}, ${PLAIN_COOKIE_NAMES.refresh}`;
    if (!secure) {
      warning = `Cookies fall back to plain names (${plain}) without the Secure flag for ${origin.origin}: browsers refuse __Host-/__Secure- cookies on a plain-HTTP origin that is not localhost. Serve it over HTTPS (set GATEHOUSE_PUBLIC_URL=https://…) for the prefixed, Secure cookies.`;
    } else {
      warning = `cookies.secure is on but ${origin.origin} is plain HTTP and not localhost: browsers will drop these Secure cookies (${plain}). Serve it over HTTPS or set GATEHOUSE_PUBLIC_URL to the https:// origin.`;
    }
  }
  const base = { secure, path: '/' } as const;
  return {
    secure,
    names,
    warning,
    options(kind, maxAgeSec) {
      const maxAge = maxAgeSec === undefined ? {} : { maxAge: maxAgeSec };
      switch (kind) {
        case 'session':
        case 'auth':
          return { ...base, httpOnly: true, sameSite: 'lax', ...maxAge };
        case 'refresh':
          // Strict: only our own pages ever send the refresh token, and only to the JWT endpoints.
          return { ...base, httpOnly: true, sameSite: 'strict', path: '/api/auth/jwt', ...maxAge };
        case 'preference':
          // Readable by scripts on purpose: theme and language are not secrets.
          return { ...base, httpOnly: false, sameSite: 'lax', maxAge: maxAgeSec ?? YEAR_SEC };
      }
    },
  };
}
