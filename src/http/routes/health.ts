import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { GatehouseError, safeEqual } from '../../core/index.js';
import type { AppContext } from '../context.js';
import { isLoopback } from '../client-address.js';
import { monitorDependencies } from '../dependencies.js';

/** What this plugin reads of the node: the node id, and what the dependency monitor probes. */
export type HealthRouteDeps = Pick<AppContext, 'config' | 'database' | 'redis' | 'logger'>;

/**
 * What each endpoint promises (docs/operations.md):
 * - /healthz — liveness: the process runs and its event loop answers. Restart it when this fails.
 * - /readyz — readiness: this node can take traffic. It fails (503) only for reasons of this node
 *   (starting, draining on shutdown). A store outage does not fail it: PostgreSQL and Redis are shared
 *   by every node, and the embedded SQLite file by every node on the machine, so their outage hits all
 *   nodes alike; ejecting them all would turn "sign-in answers 503 for a while" into "nothing answers",
 *   pages, docs, JWKS and discovery included. The body still says which store is down.
 * - /healthz/deps — dependency health for monitoring and alerting: 503 while any store is down.
 * All three answer from memory: a frozen store can never make them slow.
 */
export function healthRoutes(ctx: HealthRouteDeps, registry: Registry): FastifyPluginAsync {
  return async (app) => {
    const hidden = { schema: { hide: true } };
    const dependencies = monitorDependencies(ctx);
    let draining = false;
    app.addHook('preClose', async () => {
      draining = true;
    });
    app.addHook('onClose', async () => dependencies.stop());
    const checks = () => Object.fromEntries(Object.entries(dependencies.snapshot()).map(([name, s]) => [name, s.state]));

    app.get('/healthz', hidden, async () => ({ status: 'ok', node: ctx.config.server.nodeId ?? null }));
    app.get('/readyz', hidden, async (_request, reply) => {
      if (draining) return reply.status(503).send({ status: 'draining', checks: checks() });
      return reply.send({ status: dependencies.allUp() ? 'ready' : 'degraded', checks: checks() });
    });
    app.get('/healthz/deps', hidden, async (_request, reply) => {
      const up = dependencies.allUp();
      return reply.status(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable', dependencies: dependencies.snapshot() });
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
