import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { GatehouseError, safeEqual } from '../../core/index.js';
import type { AppContext } from '../context.js';
import { isLoopback } from '../client-address.js';

/** Liveness, readiness (fails when a store is down) and Prometheus metrics. */
export function healthRoutes(ctx: AppContext, registry: Registry): FastifyPluginAsync {
  return async (app) => {
    const hidden = { schema: { hide: true } };
    app.get('/healthz', hidden, async () => ({ status: 'ok', node: ctx.config.server.nodeId ?? null }));
    app.get('/readyz', hidden, async (_request, reply) => {
      const checks: Record<string, 'ok' | 'down'> = {};
      checks.database = await ctx.database.ping().then(() => 'ok' as const, () => 'down' as const);
      if (ctx.redis) {
        checks.redis = await withTimeout(ctx.redis.ping(), 1000).then(() => 'ok' as const, () => 'down' as const);
      }
      const ready = Object.values(checks).every((state) => state === 'ok');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
    });
    // Metrics show routes, traffic and process internals: only this machine, or a scraper holding the
    // configured token. request.ip is the true client (after the proxy rules), never a claimed one.
    app.get('/metrics', hidden, async (request, reply) => {
      const token = ctx.config.server.metricsToken;
      const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const allowed = token !== undefined && bearer !== undefined ? safeEqual(bearer, token) : isLoopback(request.ip);
      if (!allowed) throw new GatehouseError('GH_AUTH_FORBIDDEN', { message: 'Metrics answer loopback clients or the configured token only.' });
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}
