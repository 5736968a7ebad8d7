import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GatehouseError, NodeStats } from '../../core/index.js';
import type { Realtime } from '../../realtime/index.js';
import type { AppContext } from '../context.js';

/** What this plugin reads of the node: the node id, the clock, and which stores the node runs on. */
export type NodeStatsRouteDeps = Pick<AppContext, 'config' | 'clock' | 'database' | 'redis'>;

/**
 * This node's vital signs for the dashboard: event-loop delay (the cost of blocking, in the note's
 * terms), memory and live sockets. Only for callers on this machine (the sibling nodes that relay it to
 * signed-in users): through the balancer the client address is the forwarded one, which is refused.
 */
export function nodeStatsRoutes(ctx: NodeStatsRouteDeps, sockets: () => ReturnType<Realtime['stats']>): FastifyPluginAsyncTypebox {
  return async (app) => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    app.addHook('onClose', async () => delay.disable());
    const startedAt = ctx.clock.now();
    app.get('/api/node/stats', { schema: { tags: ['cluster'], summary: "This node's event-loop delay, memory and sockets (loopback callers only)", response: { 200: NodeStats } } }, async (request) => {
      if (!isLoopback(request.ip)) throw new GatehouseError('GH_CORE_NOT_FOUND');
      const memory = process.memoryUsage();
      const stats: NodeStats = {
        node: ctx.config.server.nodeId ?? 'node',
        pid: process.pid,
        uptimeMs: ctx.clock.now() - startedAt,
        eventLoopDelayMs: {
          mean: nsToMs(delay.mean),
          p50: nsToMs(delay.percentile(50)),
          p99: nsToMs(delay.percentile(99)),
          max: nsToMs(delay.max),
        },
        memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
        ...sockets(),
        store: ctx.database.dialect,
        redis: ctx.redis !== null,
      };
      // A sliding picture: each read covers the time since the previous one.
      delay.reset();
      return stats;
    });
  };
}

const nsToMs = (ns: number): number => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);

const isLoopback = (ip: string): boolean => ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
