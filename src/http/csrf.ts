import type { GatehouseServer } from './server.js';
import { checkCsrf } from '../cookies/index.js';
import { GatehouseError } from '../core/index.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated requests: an unsafe method that carries one
 * of our credential cookies must come from our own origin and must not be a "simple" cross-site
 * request. Login endpoints are checked too (login CSRF), whether or not a cookie is present, when the
 * browser tells us where the request came from. Bearer-only clients carry no cookie and pass.
 */
export function installCsrfCheck(app: GatehouseServer, options: { selfOrigins: string[]; credentialCookies: string[] }): void {
  app.addHook('onRequest', async (request) => {
    if (SAFE.has(request.method)) return;
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/')) return;
    const carriesCookie = options.credentialCookies.some((name) => request.cookies[name] !== undefined);
    const fromBrowser = request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined;
    if (!carriesCookie && !fromBrowser) return;
    const verdict = checkCsrf({
      method: request.method,
      origin: request.headers.origin,
      secFetchSite: header(request.headers['sec-fetch-site']),
      contentType: request.headers['content-type'],
      hasCustomHeader: request.headers['x-requested-with'] !== undefined || request.headers['x-gatehouse-csrf'] !== undefined,
      // Our configured origin(s), and the origin this very request was addressed to (Host is set by
      // the browser, not by the page that sent the request).
      selfOrigins: [...options.selfOrigins, `${request.protocol}://${request.host}`],
    });
    if (!verdict.ok) throw new GatehouseError('GH_AUTH_CSRF', { details: { reason: verdict.reason } });
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
