import type { RouteOptions } from 'fastify';
import type { GatehouseServer } from './server.js';
import { GatehouseError } from '../core/index.js';

/** Deeper than any body this API accepts; a hostile one is refused in one linear scan, before parsing. */
export const MAX_JSON_DEPTH = 32;

/** The nesting depth of a JSON text, counted only outside strings; stops as soon as it passes `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

/**
 * Bodies sized to their route: every authentication route (/api/auth/…: credentials, a few fields)
 * takes `authBytes`, everything else the server-wide limit, so a megabyte never reaches a login
 * handler. JSON deeper than MAX_JSON_DEPTH is refused before JSON.parse and schema validation, so a
 * nested body cannot hold the event loop. Fastify counts bytes as they stream in and stops at the limit.
 */
export function installBodyLimits(app: GatehouseServer, options: { authBytes: number }): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.bodyLimit === undefined && route.url.startsWith('/api/auth/')) route.bodyLimit = options.authBytes;
  });
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(new GatehouseError('GH_CORE_BODY_TOO_DEEP', { details: { maxDepth: MAX_JSON_DEPTH } }), undefined);
      return;
    }
    void parse(request, text, done);
  });
}
