import type { ServerResponse } from 'node:http';

/**
 * The policy of server-rendered pages outside the web app (the OpenID Provider's login, consent,
 * logout and error pages; Swagger UI). Like the app's: nothing from elsewhere, never framed. Inline
 * styles are allowed (those pages carry a <style> block; Swagger UI sets style attributes), inline
 * scripts are not: oidc-provider adds the hash of its own form_post script to `script-src` itself.
 * No form-action: after a consent form, the redirect to the client's redirect_uri must not be blocked.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** For replies written by someone else (oidc-provider): set before it writes; it keeps what is set. */
export function setPageHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) if (!res.hasHeader(name)) res.setHeader(name, value);
}
