// The cluster endpoints relay the balancer's admin API and each node's stats; their shapes are the
// server's response schemas (src/core/api-shapes.ts). What a dashboard row shows of a node is derived here.
import type { ClusterNode } from '../api/types.js';

export type { BackendView, ClusterBackends, ClusterNode } from '../api/types.js';

/** One row of the nodes table: a node that did not answer has only its name. */
export interface NodeRow {
  id: string;
  reachable: boolean;
  loopDelayMs: number | null;
  sockets: number | null;
  rssBytes: number | null;
  uptimeSec: number | null;
}

export function nodeRow(node: ClusterNode): NodeRow {
  if (!node.reachable) return { id: node.node, reachable: false, loopDelayMs: null, sockets: null, rssBytes: null, uptimeSec: null };
  return { id: node.node, reachable: true, loopDelayMs: node.eventLoopDelayMs.p99, sockets: node.sockets, rssBytes: node.memory.rssBytes, uptimeSec: node.uptimeMs / 1000 };
}
