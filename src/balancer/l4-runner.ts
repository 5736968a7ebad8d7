import { GatehouseError, type Clock, type Logger } from '../core/index.js';
import type { BalancerConfig } from './config.js';
import { createTcpProxy, createUdpForwarder, type L4Client } from './l4/index.js';
import type { Frontend } from './lifecycle.js';
import { FAILED, SUCCEEDED, UNREACHABLE, type Pool } from './pool.js';
import type { Backend } from './types.js';

/**
 * `--mode tcp|udp`: the L4 proxies from l4/ in front of the pool; the pool, health checks, admin API,
 * reload and close are the shared lifecycle's (lifecycle.ts). The pool counts connections (TCP) or
 * flows (UDP) where L7 counts requests.
 */
export async function openL4Frontend(config: BalancerConfig, pool: Pool, env: { clock: Clock; logger: Logger }): Promise<Frontend> {
  // The same pick as L7: a connection retried after a failed connect never goes back to a backend it tried.
  const pickBackend = (client: L4Client, attempt: { tried: ReadonlySet<string> }): Backend | null => pool.pick({ clientIp: client.address, exclude: attempt.tried });
  const listen = { host: config.listen.host, port: config.listen.port };
  if (config.mode === 'tcp') {
    const proxy = await createTcpProxy<Backend>({
      listen,
      pickBackend,
      onConnect: (backend) => pool.acquire(backend),
      onClose: (backend, _client, info) => pool.release(backend, info.ok ? SUCCEEDED : FAILED),
      onConnectFailed: (backend) => {
        // A refused connection never reached onConnect; count it as one failed attempt.
        pool.acquire(backend);
        pool.release(backend, UNREACHABLE);
      },
      ...(config.proxyProtocol ? { proxyProtocol: config.proxyProtocol } : {}),
      acceptProxyProtocol: config.acceptProxyProtocol,
      connectTimeoutMs: config.timeouts.connectMs,
      idleTimeoutMs: config.timeouts.idleMs,
      maxAttempts: config.retries + 1,
      logger: env.logger,
    });
    return { port: proxy.port, close: () => proxy.close() };
  }
  if (config.proxyProtocol === 'v1') throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: 'UDP carries PROXY protocol v2 only.' });
  const forwarder = await createUdpForwarder<Backend>({
    listen,
    pickBackend,
    idleTimeoutMs: config.udpIdleMs,
    clock: env.clock,
    onFlowOpen: (backend) => pool.acquire(backend),
    onFlowClose: (backend) => pool.release(backend, { ok: true }),
    ...(config.proxyProtocol === 'v2' ? { proxyProtocol: 'v2' as const } : {}),
    logger: env.logger,
  });
  return { port: forwarder.port, close: () => forwarder.close() };
}
