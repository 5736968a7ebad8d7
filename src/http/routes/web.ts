import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * The browser UI (web/, built by `vite build web` into web/dist) at `/`, with an SPA fallback: any
 * other GET that is not an API, protocol or operations path gets index.html so deep links work.
 * Hashed files under assets/ are immutable for a year; everything else revalidates every time.
 */

// src/http/routes/web.ts and dist/http/routes/web.js both sit three folders below the package root.
const DEFAULT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'dist');

/** Paths that belong to the server, never to the app: an unknown one stays a coded 404. */
const SERVER_PREFIXES = ['/api', '/oidc', '/socket.io', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics', '/.well-known'];

/**
 * Everything from our own origin and nothing else: scripts, styles and fonts are bundled, the socket
 * connects back to us ('self' covers ws:/wss: to this origin), and no site may frame the app.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': WEB_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export interface WebRoutesOptions {
  /** The built app; defaults to <package>/web/dist. */
  root?: string;
}

export function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`));
}

export function webRoutes(options: WebRoutesOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const root = options.root ?? DEFAULT_ROOT;
    const built = existsSync(join(root, 'index.html'));

    // Hooks here stay inside this plugin: they shape the app's responses only, never the API's.
    app.addHook('onSend', async (_request, reply, payload) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) void reply.header(name, value);
      return payload;
    });

    const fallback = async (path: string, reply: FastifyReply) => {
      // A missing file with an extension (/favicon.png) is a plain 404, not the app.
      const last = path.slice(path.lastIndexOf('/') + 1);
      if (isServerPath(path)) return reply.callNotFound();
      // A file added after start (the app rebuilt under a running node) is still served; a missing one
      // (/favicon.png) is a plain 404, never the app. send() refuses paths that climb out of root.
      if (last.includes('.')) return built ? reply.sendFile(path.slice(1)) : reply.callNotFound();
      if (!built) return reply.type('text/html; charset=utf-8').header('cache-control', REVALIDATE).send(NOT_BUILT_PAGE);
      return reply.header('cache-control', REVALIDATE).sendFile('index.html', { cacheControl: false });
    };

    if (!built) {
      app.log.warn({ root }, 'web/dist is missing: the browser UI is not built (run `npm run build`); serving a placeholder page');
      app.get('/', { schema: { hide: true } }, async (request, reply) => fallback(request.url.split('?')[0] ?? '/', reply));
      app.get('/*', { schema: { hide: true } }, async (request, reply) => fallback(request.url.split('?')[0] ?? '/', reply));
      return;
    }

    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      // Routes for the files present at start: the build happens before the node starts, and a fixed
      // route table leaves the catch-all below free for the SPA fallback.
      wildcard: false,
      index: ['index.html'],
      cacheControl: false,
      dotfiles: 'ignore',
      schemaHide: true,
      setHeaders(res, path) {
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : REVALIDATE);
      },
    });
    app.get('/*', { schema: { hide: true } }, async (request, reply) => fallback(request.url.split('?')[0] ?? '/', reply));
  };
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>gatehouse</title></head>
<body><main><h1>gatehouse</h1><p>The web app is not built yet. Run <code>npm run build</code> (or <code>npx vite build web</code>) and reload.</p>
<p>The API works without it: see <a href="/docs/api">/docs/api</a>.</p></main></body></html>
`;
