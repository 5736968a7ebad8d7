import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ClusterBackends, type ClusterNode, GatehouseError, type NodeStats, CounterHistory, ClusterNodeList } from '../../core/index.js';
import type { AuthHooks } from '../guard.js';
import { createClusterHistory } from './cluster-history.js';

/** Where `gatehouse up` tells each node to find the balancer's admin API and its sibling nodes. */
export interface ClusterLinks {
  balancerAdmin: string;
  adminToken?: string | undefined;
  nodes: { id: string; url: string }[];
}

export function clusterLinksFromEnv(env: NodeJS.ProcessEnv): ClusterLinks | null {
  if (!env.GATEHOUSE_BALANCER_ADMIN) return null;
  let nodes: ClusterLinks['nodes'] = [];
  try {
    nodes = JSON.parse(env.GATEHOUSE_CLUSTER_NODES ?? '[]') as ClusterLinks['nodes'];
  } catch {
    nodes = [];
  }
  return { balancerAdmin: env.GATEHOUSE_BALANCER_ADMIN, adminToken: env.GATEHOUSE_BALANCER_TOKEN, nodes };
}

/**
 * The dashboard's window on the cluster: the balancer's backends and algorithm (its admin API stays on
 * loopback; nodes relay it) and every node's vital signs. Reading needs a signed-in user; switching the
 * algorithm needs an admin.
 */
export function clusterRoutes(links: ClusterLinks | null, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['cluster'];
    const admin = async (path: string, init: RequestInit = {}): Promise<unknown> => {
      if (!links) throw new GatehouseError('GH_CORE_NOT_FOUND', { message: 'This node is not part of a `gatehouse up` cluster.' });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (links.adminToken) headers.authorization = `Bearer ${links.adminToken}`;
      const response = await fetch(new URL(path, links.balancerAdmin), { ...init, headers, signal: AbortSignal.timeout(2000) }).catch(() => null);
      if (!response) throw new GatehouseError('GH_CORE_UNAVAILABLE', { message: 'The balancer admin API is not reachable.' });
      const body = (await response.json().catch(() => null)) as unknown;
      if (!response.ok) throw new GatehouseError(response.status === 400 ? 'GH_BALANCER_CONFIG_INVALID' : 'GH_CORE_UNAVAILABLE', { message: describe(body) });
      return body;
    };

    const history = createClusterHistory(async () => {
      const pool = (await admin('/backends')) as { backends?: { id?: unknown; requests?: unknown }[] };
      const counters: Record<string, number> = {};
      for (const backend of pool.backends ?? []) if (typeof backend.id === 'string' && typeof backend.requests === 'number') counters[backend.id] = backend.requests;
      return counters;
    });
    app.addHook('onClose', async () => history.stop());

    app.get(
      '/api/cluster/history',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: "The last minute of the balancer's request counters per backend, one sample a second", response: { 200: CounterHistory } } },
      async () => {
        if (!links) throw new GatehouseError('GH_CORE_NOT_FOUND', { message: 'This node is not part of a `gatehouse up` cluster.' });
        return { samples: history.watch() };
      },
    );

    app.get('/api/cluster/backends', { preHandler: hooks.requireAuth(), schema: { tags, summary: 'Backends as the balancer sees them', response: { 200: ClusterBackends } } }, async () => {
      if (links) history.watch();
      const [pool, algorithm] = (await Promise.all([admin('/backends'), admin('/algorithm')])) as [Omit<ClusterBackends, 'available'>, Pick<ClusterBackends, 'available'>];
      return { algorithm: pool.algorithm, available: algorithm.available, backends: pool.backends };
    });

    app.put(
      '/api/cluster/algorithm',
      { preHandler: hooks.requireAuth({ roles: ['admin'] }), schema: { tags, summary: 'Switch the balancing algorithm (admin)', body: Type.Object({ name: Type.String({ maxLength: 64 }) }, { additionalProperties: false }) } },
      async (request) => admin('/algorithm', { method: 'PUT', body: JSON.stringify({ name: request.body.name }) }),
    );

    app.get('/api/cluster/nodes', { preHandler: hooks.requireAuth(), schema: { tags, summary: "Every node's event-loop delay, memory and sockets", response: { 200: ClusterNodeList } } }, async () => {
      if (!links) throw new GatehouseError('GH_CORE_NOT_FOUND', { message: 'This node is not part of a `gatehouse up` cluster.' });
      const nodes = await Promise.all(
        links.nodes.map(async (node): Promise<ClusterNode> => {
          const response = await fetch(new URL('/api/node/stats', node.url), { signal: AbortSignal.timeout(1500) }).catch(() => null);
          if (!response?.ok) return { node: node.id, url: node.url, reachable: false };
          return { ...((await response.json()) as NodeStats), url: node.url, reachable: true };
        }),
      );
      return { nodes };
    });
  };
}

function describe(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body && typeof (body).message === 'string') return (body as { message: string }).message;
  return 'The balancer refused the change.';
}
