import type { Pool } from '../pool.js';

/** Counters the proxy keeps beyond what the pool holds. */
export interface ProxyStats {
  tunnels(backendId?: string): number;
  sessions?: () => number;
}

const STATES = ['up', 'down', 'draining', 'slow-start'] as const;

/**
 * Prometheus text exposition (format 0.0.4), written directly: the figures live on the pool already,
 * and a private registry per balancer avoids prom-client's process-global default registry.
 */
export function renderMetrics(pool: Pool, stats?: ProxyStats): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string, rows: [string, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
  };
  const label = (id: string, extra = ''): string => `{backend="${id.replace(/["\\\n]/g, '_')}"${extra}}`;
  const backends = pool.list();
  family('gatehouse_balancer_backend_requests_total', 'counter', 'Requests or connections sent to the backend.', backends.map((b) => [label(b.id), b.requests]));
  family('gatehouse_balancer_backend_failures_total', 'counter', 'Failed requests or connections.', backends.map((b) => [label(b.id), b.failures]));
  family('gatehouse_balancer_backend_active', 'gauge', 'Requests or connections in flight.', backends.map((b) => [label(b.id), b.activeConnections]));
  family('gatehouse_balancer_backend_latency_ewma_seconds', 'gauge', 'Response latency EWMA.', backends.map((b) => [label(b.id), b.latencyMs / 1000]));
  family('gatehouse_balancer_backend_weight', 'gauge', 'Effective weight (ramps during slow start).', backends.map((b) => [label(b.id), b.effectiveWeight]));
  family(
    'gatehouse_balancer_backend_state',
    'gauge',
    '1 for the state the backend is in.',
    backends.flatMap((b) => STATES.map((s): [string, number] => [label(b.id, `,state="${s}"`), b.state === s ? 1 : 0])),
  );
  if (stats) {
    family('gatehouse_balancer_websockets_open', 'gauge', 'Proxied WebSocket tunnels open.', [['', stats.tunnels()]]);
    if (stats.sessions) family('gatehouse_balancer_socketio_sessions', 'gauge', 'engine.io sessions whose backend is known.', [['', stats.sessions()]]);
  }
  return `${lines.join('\n')}\n`;
}
