// cookies/: how gatehouse uses cookies — the policy (names, prefixes, flags per kind), the sealed
// stateless auth cookie (JWE), plain preference cookies scripts may read, and the CSRF rule for
// cookie-authenticated requests.
export { COOKIE_NAMES, PLAIN_COOKIE_NAMES } from './names.js';
export { createCookiePolicy, isPotentiallyTrustworthy } from './policy.js';
export type { CookieKind, CookiePolicy } from './policy.js';
export type { CookieSerializeOptions } from '@fastify/cookie';
export { createCookieSealer } from './sealer.js';
export type { CookieSealer, SealedAuth } from './sealer.js';
export { checkCsrf } from './csrf.js';
export type { CsrfInput, CsrfVerdict } from './csrf.js';
export { readPreferences, validatePreference } from './preferences.js';
export type { Preferences } from './preferences.js';
