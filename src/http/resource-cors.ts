import type { FastifyInstance } from 'fastify';
import type { WebOriginPolicy } from '../oauth/index.js';

const RESOURCES = '/api/resources/';

/**
 * CORS for the resource server: a browser app of a registered client (its web origins) may call
 * /api/resources/* with its access token, preflight included. The token travels in Authorization (or
 * DPoP), never in cookies, so no credentials mode is allowed; every other origin gets no CORS headers
 * and its browser refuses to read the answer.
 */
export function registerResourceCors(app: FastifyInstance, origins: WebOriginPolicy): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(RESOURCES)) return;
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (!(await origins.allows(origin))) return;
    reply.header('Access-Control-Allow-Origin', origin!);
    // The challenge and the DPoP nonce are what a client acts on after a refusal.
    reply.header('Access-Control-Expose-Headers', 'WWW-Authenticate, DPoP-Nonce');
  });
  app.options(`${RESOURCES}*`, { schema: { hide: true } }, async (request, reply) => {
    if (reply.hasHeader('Access-Control-Allow-Origin')) {
      reply.header('Access-Control-Allow-Methods', 'GET');
      reply.header('Access-Control-Allow-Headers', 'Authorization, DPoP');
      reply.header('Access-Control-Max-Age', '600');
    }
    return reply.status(204).send();
  });
}
