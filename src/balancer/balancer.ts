import type http from 'node:http';
import { GatehouseError, silentLogger, systemClock, type Clock, type Logger } from '../core/index.js';
import { createAdminServer, listenOn, type AdminChange } from './admin/server.js';
import { parseBalancerConfig, type BalancerConfig } from './config.js';
import { startHealthChecks, type HealthChecker } from './health/active.js';
import { createHttpProxy, type HttpProxy } from './http/proxy.js';
import { backendId, createPool, type Pool, type PoolOptions } from './pool.js';

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

/** Starts the L7 balancer (and its admin API) from a validated config; `gatehouse up` calls this. */
export async function startBalancer(input: BalancerConfig | Record<string, unknown>, deps: BalancerDeps = {}): Promise<RunningBalancer> {
  const config = isConfig(input) ? input : parseBalancerConfig(input);
  if (config.mode !== 'http') {
    const { startL4Balancer } = await import('./l4-runner.js');
    return startL4Balancer(config, deps);
  }
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger();
  const pool = createPool({
    backends: config.backends,
    algorithm: config.algorithm,
    clock,
    ...poolOptions(config),
  });
  pool.on('state', (backend: { id: string; state: string }, previous: string) => logger.info({ backend: backend.id, from: previous, to: backend.state }, 'balancer: backend state'));
  const proxy = createHttpProxy({
    pool,
    clock,
    logger,
    connectTimeoutMs: config.timeouts.connectMs,
    responseTimeoutMs: config.timeouts.responseMs,
    headersTimeoutMs: config.timeouts.headersMs,
    requestTimeoutMs: config.timeouts.requestMs,
    idleTimeoutMs: config.timeouts.idleMs,
    keepAliveTimeoutMs: config.timeouts.keepAliveMs,
    maxHeaderBytes: config.limits.maxHeaderBytes,
    maxBodyBytes: config.limits.maxBodyBytes,
    retries: config.retries,
    hashKey: config.hashKey,
    trustForwarded: config.trustForwarded,
    socketioPath: config.socketioPath,
    wsDrainWindowMs: config.wsDrainWindowMs,
    fastPath: config.fastPath,
  });
  let checker = startChecks(pool, config, clock);
  let adminServer: http.Server | undefined;
  let port: number;
  let adminPort: number | null = null;
  try {
    port = await proxy.listen(config.listen.port, config.listen.host);
    if (config.admin && deps.admin !== false) {
      const adminOptions: Parameters<typeof createAdminServer>[0] = { pool, host: config.admin.host, stats: { tunnels: (id) => proxy.tunnels(id), sessions: () => proxy.sids?.size ?? 0 } };
      if (config.admin.token !== undefined) adminOptions.token = config.admin.token;
      if (deps.onAdminChange) adminOptions.onChange = deps.onAdminChange;
      adminServer = createAdminServer(adminOptions);
      adminPort = await listenOn(adminServer, config.admin.port, config.admin.host);
    }
  } catch (error) {
    checker?.stop();
    pool.close();
    await proxy.close(0);
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Cannot listen: ${(error as Error).message}`, cause: error });
  }
  let current = config;

  return {
    port,
    adminPort,
    pool,
    http: proxy,
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
      await Promise.all([proxy.close(config.timeouts.shutdownMs), new Promise<void>((resolve) => (adminServer ? adminServer.close(() => resolve()) : resolve()))]);
      adminServer?.closeAllConnections();
    },
  };
}

/** The pool settings of a config, shared by the L7 and L4 runners. */
export function poolOptions(config: BalancerConfig): PoolOptions {
  const { maxFailures, ejectMs, failurePercent, minRequests, windowMs, maxEjectionPercent } = config.passive;
  return { slowStartMs: config.slowStartMs, maxFailures, ejectMs, failurePercent, minRequests, windowMs, maxEjectionPercent, retryBudget: config.retryBudget };
}

function isConfig(input: unknown): input is BalancerConfig {
  const c = input as Partial<BalancerConfig>;
  return typeof c === 'object' && c !== null && typeof c.listen === 'object' && Array.isArray(c.backends) && typeof c.timeouts === 'object';
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
