import { GatehouseError } from '../core/index.js';
import type { BalancerDeps, RunningBalancer } from './balancer.js';
import type { BalancerConfig } from './config.js';

/** TCP and UDP modes: wired to the L4 proxies in l4/. */
export async function startL4Balancer(config: BalancerConfig, _deps: BalancerDeps): Promise<RunningBalancer> {
  throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Mode ${config.mode} is not available yet.` });
}
