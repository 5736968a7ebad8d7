import { LANG_COOKIE } from '../core/index.js';

/**
 * The cookie names of the interface contract. `__Host-` binds a cookie to this exact origin (Secure,
 * Path=/, no Domain: a sibling subdomain cannot set or shadow it); `__Secure-` only demands Secure,
 * which the refresh cookie needs as it is scoped to Path=/api/auth/jwt.
 */
export const COOKIE_NAMES = {
  session: '__Host-gh.sid',
  auth: '__Host-gh.auth',
  refresh: '__Secure-gh.rt',
  theme: 'gh.theme',
  lang: LANG_COOKIE,
} as const;

/** What browsers accept on origins where the prefixed names would be refused (plain HTTP, not local). */
export const PLAIN_COOKIE_NAMES = {
  session: 'gh.sid',
  auth: 'gh.auth',
  refresh: 'gh.rt',
  theme: 'gh.theme',
  lang: LANG_COOKIE,
} as const;
