// The cluster endpoints the lead adds to the nodes (they proxy the balancer's admin API). Their exact
// shapes were still being written, so these readers accept the likely spellings and skip the rest.

export const ALGORITHMS = ['round-robin', 'weighted-round-robin', 'least-connections', 'ip-hash', 'consistent-hash', 'random-two', 'least-latency'] as const;

export interface BackendView {
  id: string;
  state: string;
  weight: number | null;
  active: number;
  requests: number;
  failures: number;
  latencyMs: number | null;
}

export interface NodeView {
  id: string;
  reachable: boolean;
  loopDelayMs: number | null;
  sockets: number | null;
  rssBytes: number | null;
  uptimeSec: number | null;
}

export interface ClusterBackends {
  algorithm: string | null;
  /** What the balancer offers; the contract's seven names when it does not say. */
  available: string[];
  backends: BackendView[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (...values: unknown[]): number | null => {
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
};
const text = (...values: unknown[]): string | null => {
  for (const v of values) if (typeof v === 'string' && v) return v;
  return null;
};

function listOf(raw: unknown, key: string): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (isObj(raw) && Array.isArray(raw[key])) return raw[key] as unknown[];
  return [];
}

export function readBackends(raw: unknown): ClusterBackends {
  const algorithmField = isObj(raw) ? raw.algorithm : null;
  const algorithm = text(algorithmField, isObj(algorithmField) ? algorithmField.name : null);
  const backends = listOf(raw, 'backends').flatMap((item): BackendView[] => {
    if (!isObj(item)) return [];
    const id = text(item.id, item.name) ?? (typeof item.host === 'string' && typeof item.port === 'number' ? `${item.host}:${item.port}` : null);
    if (!id) return [];
    return [
      {
        id,
        state: text(item.state, item.health, item.status) ?? 'unknown',
        weight: num(item.weight),
        active: num(item.activeConnections, item.active, item.connections) ?? 0,
        requests: num(item.requests, item.requestsTotal, item.total) ?? 0,
        failures: num(item.failures, item.errors) ?? 0,
        latencyMs: num(item.latencyMs, item.latency),
      },
    ];
  });
  const offered = isObj(raw) && Array.isArray(raw.available) ? raw.available.filter((a): a is string => typeof a === 'string') : [];
  return { algorithm, available: offered.length ? offered : [...ALGORITHMS], backends };
}

export function readNodes(raw: unknown): NodeView[] {
  return listOf(raw, 'nodes').flatMap((item): NodeView[] => {
    if (!isObj(item)) return [];
    const id = text(item.node, item.id, item.nodeId, item.name, item.url) ?? (typeof item.port === 'number' ? `:${item.port}` : null);
    if (!id) return [];
    const loop = isObj(item.eventLoopDelayMs) ? item.eventLoopDelayMs : isObj(item.eventLoop) ? item.eventLoop : isObj(item.eventLoopDelay) ? item.eventLoopDelay : {};
    const uptimeMs = num(item.uptimeMs);
    const memory = isObj(item.memory) ? item.memory : {};
    const sockets = isObj(item.sockets) ? num(item.sockets.count, item.sockets.sockets) : num(item.sockets, item.socketCount);
    return [
      {
        id,
        reachable: item.reachable !== false,
        loopDelayMs: num(item.eventLoopDelayMs, item.loopDelayMs, item.eventLoopDelay, loop.p99, loop.p99Ms, loop.mean, loop.meanMs),
        sockets,
        rssBytes: num(memory.rssBytes, memory.rss, item.rss, item.rssBytes, item.memory),
        uptimeSec: uptimeMs !== null ? uptimeMs / 1000 : num(item.uptimeSec, item.uptime),
      },
    ];
  });
}
