import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, loadOrCreateAdminToken, startBalancer, type AlgorithmName, type RunningBalancer } from '../balancer/index.js';
import { envNameOf, layerOf, loadInstanceSecret, resolveNodeConfig, systemClock, type Clock, type Config, type Logger } from '../core/index.js';
import { createClusterRelay, prepareStore } from '../http/index.js';
import { holdPort } from './starting-page.js';
import { superviseNodes, type Supervisor, type SupervisorEvent } from './supervisor.js';
import { waitReady, waitUntil } from './wait-ready.js';

export interface ClusterOptions {
  nodes: number;
  /** Where people connect: the balancer. */
  host: string;
  port: number;
  /** First app node port; node i listens on nodeBasePort + i. */
  nodeBasePort: number;
  adminPort: number;
  algorithm: AlgorithmName;
  /** Beats the environment's and the file's; unset: theirs, else the default. */
  dataDir?: string;
  /** A settings file other than gatehouse.yaml in the data directory; every node reads it too. */
  configFile?: string;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  onEvent?: (event: SupervisorEvent) => void;
  /** The balancer took over the public port: the first node is ready and people can use the URL. */
  onServing?: (url: string) => void;
}

export interface RunningCluster {
  balancer: RunningBalancer;
  supervisor: Supervisor;
  url: string;
  adminUrl: string;
  /** The admin API's bearer token (kept in the data directory), and whether this start made it. */
  adminToken: { token: string; created: boolean };
  /** The configuration the nodes share (defaults < file < environment). */
  config: Config;
  stop(): Promise<void>;
}

/** How to start the CLI entry in a child: compiled JS as is, TypeScript (tests, `npm run dev`) via tsx. */
function nodeEntry(): { exec: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const typescript = self.endsWith('.ts');
  const exec = fileURLToPath(new URL(`../cli/main.${typescript ? 'ts' : 'js'}`, import.meta.url));
  return { exec, execArgv: typescript ? ['--import', 'tsx'] : [] };
}

/**
 * `gatehouse up`: the whole picture on one machine — migrations once, N app nodes sharing the store
 * (SQLite in WAL mode, or PostgreSQL/Redis from the environment), the Socket.IO IPC relay between them,
 * and the balancer in front with health checks on /readyz.
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  // Taken first, so from the first second a visitor gets "starting…" rather than a refused connection.
  const starting = await holdPort(options.host, options.port);
  try {
    return await startBehind(options, () => starting.close());
  } finally {
    await starting.close();
  }
}

async function startBehind(options: ClusterOptions, releasePort: () => Promise<void>): Promise<RunningCluster> {
  const clock = options.clock ?? systemClock;
  const flags = options.dataDir === undefined ? undefined : layerOf({ server: { dataDir: options.dataDir } }, () => 'flag --data-dir');
  const resolved = resolveNodeConfig({ env: options.env, ...(flags ? { flags } : {}), file: options.configFile });
  const { config } = resolved;
  // Done once here so N nodes starting together neither race on migrations nor on the secret file.
  await loadInstanceSecret({ dataDir: config.server.dataDir, fromEnv: options.env.GATEHOUSE_SECRET });
  await prepareStore(config);
  // The admin API can drain or add backends: never open, even on loopback. The nodes' dashboard
  // relays to it with this token, behind the app's admin role.
  const adminToken = await loadOrCreateAdminToken(config.server.dataDir);

  const publicUrl = config.server.publicUrl ?? `http://localhost:${options.port}`;
  const adminUrl = `http://127.0.0.1:${options.adminPort}`;
  const nodeUrls = Array.from({ length: options.nodes }, (_, i) => ({ id: `node-${i + 1}`, url: `http://127.0.0.1:${options.nodeBasePort + i}` }));
  const relay = createClusterRelay();
  // Readiness polls of (re)started nodes end when the cluster stops, not 60 s later.
  const stopping = new AbortController();
  const entry = nodeEntry();
  const supervisor = superviseNodes({
    count: options.nodes,
    basePort: options.nodeBasePort,
    exec: entry.exec,
    execArgv: entry.execArgv,
    // The nodes read the same file and environment; what `up` decides for them is pinned under both the
    // short and the derived names, so neither an inherited derived variable nor the file can undo it.
    args: ['serve', '--host', '127.0.0.1', '--skip-migrations', ...(resolved.file ? ['--config', resolved.file] : [])],
    env: {
      ...withoutPerNodeKeys(options.env),
      ...pinned('server.dataDir', 'GATEHOUSE_DATA_DIR', config.server.dataDir),
      ...pinned('server.publicUrl', 'GATEHOUSE_PUBLIC_URL', publicUrl),
      // The balancer (on this machine) is the only proxy whose X-Forwarded-For the nodes believe, unless
      // the operator configured the proxies.
      ...pinned('server.trustProxy', 'GATEHOUSE_TRUST_PROXY', resolved.sources['server.trustProxy'] === 'default' ? '127.0.0.1,::1' : String(config.server.trustProxy)),
      GATEHOUSE_REALTIME_IPC: '1',
      GATEHOUSE_BALANCER_ADMIN: adminUrl,
      GATEHOUSE_BALANCER_TOKEN: adminToken.token,
      GATEHOUSE_CLUSTER_NODES: JSON.stringify(nodeUrls),
      // Health checks hit every node each second: per-request info logs would drown what matters.
      LOG_LEVEL: options.env.LOG_LEVEL ?? 'warn',
    },
    clock,
    onChild: (child, alive) => (alive ? relay.add(child) : relay.remove(child)),
    onEvent: (event) => {
      if (event.type === 'started') {
        void waitReady(`http://127.0.0.1:${event.node.port}/readyz`, 60_000, stopping.signal).then(
          () => {
            if (event.node.state === 'starting') event.node.state = 'up';
          },
          () => {},
        );
      }
      options.onEvent?.(event);
    },
  });

  // The balancer takes over the port once one node answers, with only the ready nodes in its pool;
  // the others join as they become ready. No request is ever sent to a node that is still starting.
  const ready = new Set<string>();
  const readiness = nodeUrls.map((node) => waitReady(`${node.url}/readyz`, 90_000, stopping.signal).then(() => node));
  let balancer: RunningBalancer | undefined;
  const join = (node: { id: string }): void => {
    ready.add(node.id);
    if (!balancer || balancer.pool.get(node.id)) return;
    const i = nodeUrls.findIndex((n) => n.id === node.id);
    balancer.pool.add({ host: '127.0.0.1', port: options.nodeBasePort + i, id: node.id });
  };
  for (const pending of readiness) void pending.then(join, () => {});
  try {
    await Promise.any(readiness);
    await releasePort();
    balancer = await startBalancer(
      {
        ...DEFAULT_CONFIG,
        listen: { host: options.host, port: options.port },
        admin: { host: '127.0.0.1', port: options.adminPort, token: adminToken.token },
        algorithm: options.algorithm,
        backends: nodeUrls.flatMap((node, i) => (ready.has(node.id) ? [{ host: '127.0.0.1', port: options.nodeBasePort + i, id: node.id }] : [])),
        healthCheck: { path: '/readyz', intervalMs: 1_000, timeoutMs: 800, rise: 1, fall: 2 },
        // A restarted node gets a short ramp, not a flood.
        slowStartMs: 3_000,
      },
      { clock, ...(options.logger ? { logger: options.logger } : {}) },
    );
    // Nodes that became ready while the balancer was binding its port.
    for (const id of ready) join({ id });
    options.onServing?.(publicUrl);
    await Promise.all(readiness);
  } catch (error) {
    stopping.abort();
    await balancer?.close();
    await supervisor.stop();
    throw error instanceof AggregateError ? (error.errors[0] as Error) : error;
  }
  const running = balancer;
  // …and until the balancer's own health checks agree, so the first requests spread over every node.
  await waitUntil(() => running.pool.list().every((backend) => backend.state === 'up' || backend.state === 'slow-start'), 15_000);
  return {
    balancer: running,
    supervisor,
    url: publicUrl,
    adminUrl,
    adminToken,
    config,
    async stop() {
      stopping.abort();
      await running.close();
      await supervisor.stop();
    },
  };
}

/** One setting for every node, under its short and derived variable names. */
function pinned(path: string, short: string, value: string): NodeJS.ProcessEnv {
  return { [short]: value, [envNameOf(path)]: value };
}

/** The supervisor gives each node its own PORT and GATEHOUSE_NODE_ID: no inherited derived name may override them. */
function withoutPerNodeKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out[envNameOf('server.port')];
  delete out[envNameOf('server.nodeId')];
  return out;
}
