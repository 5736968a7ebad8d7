import type http from 'node:http';
import { GatehouseError, silentLogger, systemClock } from '../core/index.js';
import { createAdminServer, listenOn } from './admin/server.js';
import type { BalancerDeps, RunningBalancer } from './balancer.js';
import { poolOptions, reconcile } from './balancer.js';
import type { BalancerConfig } from './config.js';
import { startHealthChecks, type HealthChecker } from './health/active.js';
import { createTcpProxy, createUdpForwarder, type L4Client } from './l4/index.js';
import { createPool, FAILED, SUCCEEDED, UNREACHABLE, type Pool } from './pool.js';
import type { Backend } from './types.js';

/**
 * `--mode tcp|udp`: the same pool, algorithms, health checks and admin API in front of the L4 proxies
 * from l4/. The pool counts connections (TCP) or flows (UDP) where L7 counts requests.
 */
export async function startL4Balancer(config: BalancerConfig, deps: BalancerDeps): Promise<RunningBalancer> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger();
  const pool = createPool({ backends: config.backends, algorithm: config.algorithm, clock, ...poolOptions(config) });
  pool.on('state', (backend: Backend, previous: string) => logger.info({ backend: backend.id, from: previous, to: backend.state }, 'balancer: backend state'));

  // The same pick as L7: a connection retried after a failed connect never goes back to a backend it tried.
  const pickBackend = (client: L4Client, attempt: { tried: ReadonlySet<string> }): Backend | null => pool.pick({ clientIp: client.address, exclude: attempt.tried });
  const listen = { host: config.listen.host, port: config.listen.port };

  let proxy: { port: number; close(): Promise<void> };
  if (config.mode === 'tcp') {
    proxy = await createTcpProxy<Backend>({
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
      logger,
    });
  } else {
    if (config.proxyProtocol === 'v1') throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: 'UDP carries PROXY protocol v2 only.' });
    proxy = await createUdpForwarder<Backend>({
      listen,
      pickBackend,
      idleTimeoutMs: config.udpIdleMs,
      clock,
      onFlowOpen: (backend) => pool.acquire(backend),
      onFlowClose: (backend) => pool.release(backend, { ok: true }),
      ...(config.proxyProtocol === 'v2' ? { proxyProtocol: 'v2' as const } : {}),
      logger,
    });
  }

  const startChecks = (c: BalancerConfig): HealthChecker | undefined =>
    c.healthCheck ? startHealthChecks({ pool, clock, intervalMs: c.healthCheck.intervalMs, timeoutMs: c.healthCheck.timeoutMs, rise: c.healthCheck.rise, fall: c.healthCheck.fall, ...(c.healthCheck.path === undefined ? {} : { path: c.healthCheck.path }) }) : undefined;
  let checker = startChecks(config);
  let adminServer: http.Server | undefined;
  let adminPort: number | null = null;
  if (config.admin && deps.admin !== false) {
    adminServer = createAdminServer({ pool, host: config.admin.host, ...(config.admin.token !== undefined ? { token: config.admin.token } : {}), ...(deps.onAdminChange ? { onChange: deps.onAdminChange } : {}) });
    try {
      adminPort = await listenOn(adminServer, config.admin.port, config.admin.host);
    } catch (error) {
      checker?.stop();
      await proxy.close();
      throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Cannot listen: ${(error as Error).message}`, cause: error });
    }
  }
  let current = config;
  return {
    port: proxy.port,
    adminPort,
    pool: pool as Pool,
    http: undefined,
    get config() {
      return current;
    },
    reload(next: BalancerConfig): string[] {
      const notes = reconcile(pool, current, next);
      checker?.stop();
      checker = startChecks(next);
      current = { ...next, listen: current.listen, admin: current.admin, mode: current.mode };
      return notes;
    },
    async close(): Promise<void> {
      checker?.stop();
      pool.close();
      await Promise.all([proxy.close(), new Promise<void>((resolve) => (adminServer ? adminServer.close(() => resolve()) : resolve()))]);
      adminServer?.closeAllConnections();
    },
  };
}
