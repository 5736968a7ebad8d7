import type { GatehouseServer } from './server.js';

/**
 * The headers every Fastify reply carries, set in one synchronous onSend hook (it runs for answers,
 * errors and 404s alike, and a callback hook costs no promise per request):
 * - `X-Content-Type-Options: nosniff`: a JSON body must never be read as HTML or script;
 * - `Cache-Control: no-store` on every API route unless the route chose otherwise: API answers hold
 *   sessions, tokens, audit trails and personal data that no shared or browser cache may keep;
 * - `X-Gatehouse-Node`: which node answered — what the balancer spreads, made visible (the web app's
 *   request log reads it);
 * - `Connection: close` while the node is closing, so kept-alive clients let the server finish instead
 *   of holding it until their idle timeouts.
 */
export function installReplyHeaders(app: GatehouseServer, options: { nodeId: string; closing: () => boolean }): void {
  const { nodeId, closing } = options;
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('x-content-type-options')) void reply.header('x-content-type-options', 'nosniff');
    const route = request.routeOptions.url;
    if (route !== undefined && route.startsWith('/api/') && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    void reply.header('x-gatehouse-node', nodeId);
    if (closing()) void reply.header('connection', 'close');
    done(null, payload);
  });
}
