import { isAlgorithmName } from '../../balancer/index.js';
import { startCluster } from '../../cluster/index.js';
import { createLogger } from '../../core/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UP_DEFAULTS } from '../up-defaults.js';

const usage = `Usage: gatehouse up [--nodes 3] [--port 8080] [--host 127.0.0.1] [--node-port 3001] [--admin-port 9090]
                    [--algorithm round-robin] [--data-dir ./.gatehouse] [--config FILE]

The whole system on one machine: the balancer on --port in front of N app nodes on --node-port..
sharing the embedded SQLite store (or PostgreSQL / Redis from DATABASE_URL / REDIS_URL). Every node
reads the same settings: gatehouse.yaml in the data directory (or --config FILE) and the environment
(docs/configuration.md). Ctrl-C stops all.`;

const int = (value: unknown, name: string, fallback: number, min = 0, max = 65535): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}.\n\n${usage}`);
  return n;
};

export const command: Command = {
  name: 'up',
  summary: 'Balancer + N app nodes on one machine',
  usage,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        nodes: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'node-port': { type: 'string' },
        'admin-port': { type: 'string' },
        algorithm: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
      },
      usage,
    );
    const algorithm = typeof values.algorithm === 'string' ? values.algorithm : 'round-robin';
    if (!isAlgorithmName(algorithm)) throw new UsageError(`Unknown --algorithm ${algorithm}.\n\n${usage}`);
    const nodes = int(values.nodes, 'nodes', UP_DEFAULTS.nodes, 1, 32);
    const port = int(values.port, 'port', Number(process.env.PORT ?? UP_DEFAULTS.port));
    const logger = createLogger({ name: 'gatehouse-up', level: process.env.LOG_LEVEL ?? 'warn' });
    const started = Date.now();
    process.stderr.write(`starting ${nodes} nodes and the balancer…\n`);
    const cluster = await startCluster({
      nodes,
      port,
      host: typeof values.host === 'string' ? values.host : '127.0.0.1',
      nodeBasePort: int(values['node-port'], 'node-port', UP_DEFAULTS.nodePort),
      adminPort: int(values['admin-port'], 'admin-port', UP_DEFAULTS.adminPort),
      algorithm,
      ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
      ...(typeof values.config === 'string' ? { configFile: values.config } : {}),
      env: process.env,
      logger,
      // The URL as soon as it works; the full picture follows once every node has joined.
      onServing: (url) => process.stderr.write(`ready after ${((Date.now() - started) / 1000).toFixed(1)} s: open ${url}  (the other nodes are joining)\n`),
      onEvent: (event) => {
        if (event.type === 'exited') process.stderr.write(`! ${event.node.id} exited (${event.signal ?? `code ${event.code}`}); restarting\n`);
      },
    });
    const store = cluster.config.storage.databaseUrl ? 'PostgreSQL' : 'SQLite (WAL)';
    const fanout = cluster.config.storage.redisUrl ? 'Redis Streams' : 'IPC cluster adapter';
    console.log(
      [
        ``,
        `gatehouse is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        ``,
        `  open        ${cluster.url}`,
        `  balancer    ${algorithm}, health checks on /readyz`,
        `  admin API   ${cluster.adminUrl}/backends`,
        // Shown the one time it is made; it stays in the data directory (0600) for later starts.
        ...(cluster.adminToken.created ? [`  admin token ${cluster.adminToken.token}  (shown once; kept in the data directory)`] : []),
        ...cluster.supervisor.nodes.map((n) => `  ${n.id.padEnd(11)} http://127.0.0.1:${n.port}  (pid ${n.pid ?? '-'})`),
        `  store       ${store}; realtime fan-out: ${fanout}`,
        `  API docs    ${cluster.url}/docs/api/`,
        ``,
        `Ctrl-C stops everything.`,
      ].join('\n'),
    );
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        process.stderr.write('\nstopping…\n');
        cluster.stop().then(() => resolve(0), () => resolve(1));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
