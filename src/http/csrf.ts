import type { onRequestHookHandler, RouteOptions } from 'fastify';
import type { GatehouseServer } from './server.js';
import { checkCsrf } from '../cookies/index.js';
import { GatehouseError } from '../core/index.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: this unsafe-method route has its own cross-site defence (the CSRF check is not attached). */
    csrf?: boolean;
  }
}

/**
 * CSRF defence for cookie-authenticated requests: an unsafe method that carries one of our credential
 * cookies must come from our own origin and must not be a "simple" cross-site request. Login endpoints
 * are checked too (login CSRF), whether or not a cookie is present, when the browser tells us where the
 * request came from. Bearer-only clients carry no cookie and pass.
 *
 * The check is attached to every unsafe-method route when the route is defined, so it is decided on the
 * route that will run, never on the raw URL: `/%61pi/…` or any other spelling the router resolves to a
 * handler is checked exactly like the plain path. The OpenID Provider tree (/oidc) is left to its own
 * defences (interaction forms carry their own CSRF token; its token endpoints are cross-site by design),
 * as is any route that says `config: { csrf: false }`.
 */
export function installCsrfCheck(app: GatehouseServer, options: { selfOrigins: string[]; credentialCookies: string[] }): void {
  // A callback hook, not an async one: it runs on every unsafe request and never waits on anything.
  const check: onRequestHookHandler = (request, _reply, done) => {
    const carriesCookie = options.credentialCookies.some((name) => request.cookies[name] !== undefined);
    const fromBrowser = request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined;
    if (!carriesCookie && !fromBrowser) {
      done();
      return;
    }
    const verdict = checkCsrf({
      method: request.method,
      origin: request.headers.origin,
      secFetchSite: header(request.headers['sec-fetch-site']),
      contentType: request.headers['content-type'],
      hasCustomHeader: request.headers['x-requested-with'] !== undefined || request.headers['x-gatehouse-csrf'] !== undefined,
      // Only the configured origin(s): the request's own Host is not evidence (a DNS-rebound page
      // names itself as both Host and Origin), and a spoofed X-Forwarded-Host must change nothing.
      selfOrigins: options.selfOrigins,
    });
    if (!verdict.ok) throw new GatehouseError('GH_AUTH_CSRF', { details: { reason: verdict.reason } });
    done();
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat().map((m) => m.toUpperCase());
    if (methods.every((m) => SAFE.has(m))) return;
    if (route.config?.csrf === false || route.url === '/oidc' || route.url.startsWith('/oidc/')) return;
    const existing = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [check, ...existing];
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
