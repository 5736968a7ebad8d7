import type http from 'node:http';
import { GatehouseError, isGatehouseError, silentLogger, systemClock, type Clock, type Logger } from '../core/index.js';
import type { ProxyStats } from './admin/metrics.js';
import { createAdminServer, listenOn, type AdminChange, type AdminOptions } from './admin/server.js';
import type { BalancerConfig } from './config.js';
import { startHealthChecks, type HealthChecker } from './health/active.js';
import type { HttpProxy } from './http/proxy.js';
import { backendId, createPool, type Pool, type PoolOptions } from './pool.js';

/**
 * The life of a running balancer, the same for every mode: the pool, its health checks, the admin
 * API, reload and close. A mode only supplies its frontend — the listener that takes clients to the
 * pool's backends (the L7 proxy, the TCP proxy or the UDP forwarder).
 */

export interface BalancerDeps {
  clock?: Clock;
  logger?: Logger;
  /** Called after an admin API change (the --workers supervisor relays it to sibling processes). */
  onAdminChange?: (change: AdminChange) => void;
  /** Serve the admin API in this process (false in all --workers processes but the first). */
  admin?: boolean;
}

export interface RunningBalancer {
  /** The port clients connect to (the real one when the config asked for port 0). */
  readonly port: number;
  /** Admin API port, or null when it is off. */
  readonly adminPort: number | null;
  readonly pool: Pool;
  readonly config: BalancerConfig;
  /** The L7 proxy (http mode only). */
  readonly http: HttpProxy | undefined;
  /** Applies a new config without dropping connections: backends, weights, algorithm, health checks. */
  reload(next: BalancerConfig): string[];
  close(): Promise<void>;
}

/** What a mode puts in front of the pool. */
export interface Frontend {
  /** The port clients connect to. */
  readonly port: number;
  readonly http?: HttpProxy;
  /** Figures beyond the pool's for the admin API's metrics. */
  readonly stats?: ProxyStats;
  /** Stops taking clients and lets what is in flight finish as far as the mode allows. */
  close(): Promise<void>;
}

/** Opens a mode's frontend over the pool; it listens before it resolves, and cleans up if it cannot. */
export type OpenFrontend = (pool: Pool, env: { clock: Clock; logger: Logger }) => Promise<Frontend>;

export async function runBalancer(config: BalancerConfig, deps: BalancerDeps, open: OpenFrontend): Promise<RunningBalancer> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger();
  const pool = createPool({ backends: config.backends, algorithm: config.algorithm, clock, ...poolOptions(config) });
  pool.on('state', (backend: { id: string; state: string }, previous: string) => logger.info({ backend: backend.id, from: previous, to: backend.state }, 'balancer: backend state'));
  let checker = startChecks(pool, config, clock);
  let frontend: Frontend | undefined;
  let adminServer: http.Server | undefined;
  let adminPort: number | null = null;
  try {
    frontend = await open(pool, { clock, logger });
    if (config.admin && deps.admin !== false) {
      const adminOptions: AdminOptions = { pool, host: config.admin.host };
      if (frontend.stats) adminOptions.stats = frontend.stats;
      if (config.admin.token !== undefined) adminOptions.token = config.admin.token;
      if (deps.onAdminChange) adminOptions.onChange = deps.onAdminChange;
      adminServer = createAdminServer(adminOptions);
      adminPort = await listenOn(adminServer, config.admin.port, config.admin.host);
    }
  } catch (error) {
    checker?.stop();
    pool.close();
    await frontend?.close();
    if (isGatehouseError(error)) throw error;
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Cannot listen: ${(error as Error).message}`, cause: error });
  }
  const running = frontend;
  let current = config;
  return {
    port: running.port,
    adminPort,
    pool,
    http: running.http,
    get config() {
      return current;
    },
    reload(next: BalancerConfig): string[] {
      const notes = reconcile(pool, current, next);
      checker?.stop();
      checker = startChecks(pool, next, clock);
      current = { ...next, listen: current.listen, admin: current.admin, mode: current.mode };
      for (const note of notes) logger.warn(note);
      return notes;
    },
    async close(): Promise<void> {
      checker?.stop();
      pool.close();
      await Promise.all([running.close(), new Promise<void>((resolve) => (adminServer ? adminServer.close(() => resolve()) : resolve()))]);
      adminServer?.closeAllConnections();
    },
  };
}

/** The pool settings of a config. */
export function poolOptions(config: BalancerConfig): PoolOptions {
  const { maxFailures, ejectMs, failurePercent, minRequests, windowMs, maxEjectionPercent } = config.passive;
  return { slowStartMs: config.slowStartMs, maxFailures, ejectMs, failurePercent, minRequests, windowMs, maxEjectionPercent, retryBudget: config.retryBudget };
}

function startChecks(pool: Pool, config: BalancerConfig, clock: Clock): HealthChecker | undefined {
  if (!config.healthCheck) return undefined;
  const { path, intervalMs, timeoutMs, rise, fall } = config.healthCheck;
  return startHealthChecks({ pool, clock, intervalMs, timeoutMs, rise, fall, ...(path === undefined ? {} : { path }) });
}

/**
 * Brings the pool to the new config's backends and algorithm. Backends that left are removed (their
 * requests in flight finish; their WebSockets close gradually). Returns notes on what needs a restart.
 */
export function reconcile(pool: Pool, previous: BalancerConfig, next: BalancerConfig): string[] {
  const notes: string[] = [];
  const wanted = new Map(next.backends.map((spec) => [backendId(spec), spec] as const));
  for (const backend of [...pool.list()]) {
    const spec = wanted.get(backend.id);
    if (!spec) pool.remove(backend.id);
    else if ((spec.weight ?? 1) !== backend.weight) pool.setWeight(backend.id, spec.weight ?? 1);
  }
  for (const [id, spec] of wanted) if (!pool.get(id)) pool.add(spec);
  pool.setAlgorithm(next.algorithm);
  if (next.listen.host !== previous.listen.host || next.listen.port !== previous.listen.port) notes.push('balancer: listen address changes need a restart; kept the old one.');
  if (next.mode !== previous.mode) notes.push('balancer: mode changes need a restart; kept the old one.');
  if (JSON.stringify(next.admin) !== JSON.stringify(previous.admin)) notes.push('balancer: admin address changes need a restart; kept the old one.');
  if (JSON.stringify(next.timeouts) !== JSON.stringify(previous.timeouts) || JSON.stringify(next.limits) !== JSON.stringify(previous.limits)) {
    notes.push('balancer: timeouts and limits apply after a restart.');
  }
  return notes;
}
