export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

export interface CsrfInput {
  method: string;
  origin?: string | undefined;
  secFetchSite?: string | undefined;
  contentType?: string | undefined;
  /** X-Requested-With, X-Gatehouse-CSRF or similar: a cross-site form cannot set one without CORS. */
  hasCustomHeader: boolean;
  selfOrigins: string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.origin === 'null' ? null : url.origin.toLowerCase();
  } catch {
    return null;
  }
}

/** `application/json` or any `+json` type, parameters ignored: a cross-site form cannot send one. */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * The CSRF rule for cookie-authenticated requests (OWASP CSRF cheat sheet: Fetch Metadata, Origin
 * verification, and "not a simple request"). An unsafe method passes only when
 *   1. the Origin header is one of ours, or, with no Origin, Sec-Fetch-Site is same-origin or none
 *      (a user-typed navigation), and
 *   2. it is not a request a cross-site page could send without CORS: a POST needs a JSON body or a
 *      custom header (other unsafe methods always need a preflight).
 * With neither Origin nor Sec-Fetch-Site the request's source is unknown, and it is refused.
 */
export function checkCsrf(input: CsrfInput): CsrfVerdict {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return { ok: true };
  const self = new Set(input.selfOrigins.map(normalizeOrigin).filter((o): o is string => o !== null));
  if (input.origin !== undefined && input.origin !== '') {
    const origin = normalizeOrigin(input.origin);
    if (origin === null || !self.has(origin)) return { ok: false, reason: 'cross-origin' };
  } else if (input.secFetchSite !== undefined) {
    const site = input.secFetchSite.trim().toLowerCase();
    if (site !== 'same-origin' && site !== 'none') return { ok: false, reason: `sec-fetch-site: ${site === 'same-site' || site === 'cross-site' ? site : 'unknown'}` };
  } else {
    return { ok: false, reason: 'no-origin' };
  }
  // Only POST can be a CORS "simple" request; PUT, PATCH and DELETE always need a preflight.
  if (input.method.toUpperCase() === 'POST' && !isJson(input.contentType) && !input.hasCustomHeader) return { ok: false, reason: 'simple-request' };
  return { ok: true };
}
