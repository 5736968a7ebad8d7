import { parseBalancerConfig, type BalancerConfig } from './config.js';
import { createHttpProxy } from './http/proxy.js';
import { runBalancer, type BalancerDeps, type Frontend, type RunningBalancer } from './lifecycle.js';
import type { Pool } from './pool.js';
import type { Clock, Logger } from '../core/index.js';

export { reconcile } from './lifecycle.js';
export type { BalancerDeps, RunningBalancer } from './lifecycle.js';

/** Starts the balancer (and its admin API) from a validated config; `gatehouse up` calls this. */
export async function startBalancer(input: BalancerConfig | Record<string, unknown>, deps: BalancerDeps = {}): Promise<RunningBalancer> {
  const config = isConfig(input) ? input : parseBalancerConfig(input);
  if (config.mode !== 'http') {
    const { openL4Frontend } = await import('./l4-runner.js');
    return runBalancer(config, deps, (pool, env) => openL4Frontend(config, pool, env));
  }
  return runBalancer(config, deps, (pool, env) => openHttpFrontend(config, pool, env));
}

/** `--mode http`: the L7 proxy (fast path and node:http path) in front of the pool. */
async function openHttpFrontend(config: BalancerConfig, pool: Pool, env: { clock: Clock; logger: Logger }): Promise<Frontend> {
  const proxy = createHttpProxy({
    pool,
    clock: env.clock,
    logger: env.logger,
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
  let port: number;
  try {
    port = await proxy.listen(config.listen.port, config.listen.host);
  } catch (error) {
    await proxy.close(0);
    throw error;
  }
  return {
    port,
    http: proxy,
    stats: { tunnels: (id) => proxy.tunnels(id), sessions: () => proxy.sids?.size ?? 0 },
    close: () => proxy.close(config.timeouts.shutdownMs),
  };
}

function isConfig(input: unknown): input is BalancerConfig {
  const c = input as Partial<BalancerConfig>;
  return typeof c === 'object' && c !== null && typeof c.listen === 'object' && Array.isArray(c.backends) && typeof c.timeouts === 'object';
}
