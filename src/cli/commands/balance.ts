import cluster from 'node:cluster';
import { watch, type FSWatcher } from 'node:fs';
import {
  applyChange,
  generateAdminToken,
  resolveBalancerConfig,
  startBalancer,
  type AdminChange,
  type BalancerConfig,
  type RunningBalancer,
} from '../../balancer/index.js';
import { createLogger, GatehouseError } from '../../core/index.js';
import { parseFlags } from '../args.js';
import { SHARED_BALANCER_FLAGS } from '../balancer-flags.js';
import type { Command } from '../command.js';

const usage = `Usage: gatehouse balance [--config lb.yaml] [--listen HOST:PORT] [--backend HOST:PORT[,weight=N]]...
                         [--algorithm NAME] [--mode http|tcp|udp] [--health-check PATH|tcp]
                         [--admin HOST:PORT|off] [--admin-token TOKEN] [--hash-key KEY] [--workers N]

Runs the load balancer alone. Algorithms: round-robin, weighted-round-robin, least-connections, ip-hash,
consistent-hash (--hash-key ip|path|header:NAME|cookie:NAME), random-two, least-latency.
Flags override the config file. SIGHUP (or editing the file) reloads backends, weights, the algorithm
and health checks without dropping connections. The admin API listens on 127.0.0.1:9090 by default and
is never open: without --admin-token (or GATEHOUSE_ADMIN_TOKEN, or adminToken in the file) a token is
made at start and printed once, and every admin request needs it. --workers N runs N processes on one port.`;

const flags = {
  ...SHARED_BALANCER_FLAGS,
  admin: { type: 'string' },
  'admin-token': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseFlags<typeof flags>>['values'];

interface WorkerMessage {
  type: 'gh-balance';
  change?: AdminChange;
  reload?: boolean;
  ready?: boolean;
}

export const command: Command = {
  name: 'balance',
  summary: 'Run the L4/L7 load balancer',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, flags, usage);
    const logger = createLogger({ name: 'gatehouse-balancer' });
    let config = await resolveBalancerConfig(values.config, values);
    if (config.admin && config.admin.token === undefined && !cluster.isWorker) {
      // The admin API is never open: without a token of its own it gets one now, shown once; the env
      // carries it to --workers processes and to reloads.
      const token = generateAdminToken();
      process.env.GATEHOUSE_ADMIN_TOKEN = token;
      config = await resolveBalancerConfig(values.config, values);
      console.error(`gatehouse balance: admin token (shown once): ${token}`);
    }
    if (config.backends.length === 0) {
      throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: 'No backends: give --backend HOST:PORT or a config file with backends.' });
    }
    if (config.workers > 1 && cluster.isPrimary) return supervise(config, values);

    const workerIndex = Number(process.env.GH_BALANCE_WORKER ?? '1');
    const inWorker = cluster.isWorker;
    const lb = await startBalancer(config, {
      logger,
      admin: workerIndex === 1,
      ...(inWorker ? { onAdminChange: (change: AdminChange) => process.send?.({ type: 'gh-balance', change } satisfies WorkerMessage) } : {}),
    });
    if (inWorker) process.send?.({ type: 'gh-balance', ready: true } satisfies WorkerMessage);
    if (workerIndex === 1) {
      console.error(
        `gatehouse balance: ${config.mode} on ${config.listen.host}:${lb.port} → ${config.backends.length} backend(s), ${config.algorithm}` +
          (lb.adminPort !== null && config.admin ? `; admin on http://${config.admin.host}:${lb.adminPort}` : '') +
          (inWorker ? ` (${config.workers} workers)` : ''),
      );
    }

    let reloading = Promise.resolve();
    const reload = (why: string): void => {
      reloading = reloading.then(async () => {
        try {
          const next = await resolveBalancerConfig(values.config, values);
          const notes = lb.reload(next);
          logger.info({ why, backends: next.backends.length, algorithm: next.algorithm, notes }, 'balancer: config reloaded');
        } catch (error) {
          // A broken edit keeps the running config: never let a typo take the balancer down.
          logger.error({ why, err: error instanceof Error ? error.message : String(error) }, 'balancer: reload refused; keeping the running config');
        }
      });
    };
    let watcher: FSWatcher | undefined;
    if (values.config && !inWorker) {
      let debounce: NodeJS.Timeout | undefined;
      try {
        watcher = watch(values.config, () => {
          clearTimeout(debounce);
          debounce = setTimeout(() => reload('file changed'), 200);
        });
        watcher.on('error', () => undefined);
      } catch {
        logger.warn('balancer: cannot watch the config file; reload with SIGHUP');
      }
    }
    const onHup = (): void => reload('SIGHUP');
    process.on('SIGHUP', onHup);
    if (inWorker) {
      process.on('message', (message: WorkerMessage) => {
        if (message?.type !== 'gh-balance') return;
        if (message.reload) reload('supervisor');
        if (message.change) {
          try {
            applyChange(lb.pool, message.change);
          } catch (error) {
            logger.warn({ err: (error as Error).message }, 'balancer: admin change not applied in this worker');
          }
        }
      });
    }
    return waitForStop(lb, () => {
      watcher?.close();
      process.off('SIGHUP', onHup);
    });
  },
};

function waitForStop(lb: RunningBalancer, cleanup: () => void): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      cleanup();
      const force = setTimeout(() => resolve(1), 10_000);
      force.unref();
      // A cluster worker's IPC channel would keep it alive after the servers close.
      const exit = (code: number): void => {
        if (cluster.isWorker && process.connected) process.disconnect();
        resolve(code);
      };
      lb.close().then(
        () => exit(0),
        () => exit(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    if (cluster.isWorker) process.once('disconnect', stop);
  });
}

/**
 * --workers N: N processes share the listening port through node:cluster. Worker 1 serves the admin
 * API; a change made there is relayed to the others so every pool agrees. A worker that dies is
 * replaced; SIGHUP and file changes reach every worker.
 */
function supervise(config: BalancerConfig, values: Values): Promise<number> {
  let stopping = false;
  let fatal: (() => void) | undefined;
  const workers = new Map<number, ReturnType<typeof cluster.fork>>();
  const readyWorkers = new Set<number>();
  // Every admin change so far, in order: a worker that is still starting (or replaces one that died)
  // has no IPC listener yet and would miss a relayed change, so it gets them all once it says ready.
  const changes: WorkerMessage[] = [];
  const fork = (index: number): void => {
    const worker = cluster.fork({ GH_BALANCE_WORKER: String(index) });
    let ready = false;
    workers.set(index, worker);
    readyWorkers.delete(index);
    worker.on('message', (message: WorkerMessage) => {
      if (message?.type !== 'gh-balance') return;
      if (message.ready) {
        ready = true;
        readyWorkers.add(index);
        for (const change of changes) worker.send(change);
      }
      if (!message.change) return;
      changes.push(message);
      for (const [i, other] of workers) if (i !== index && readyWorkers.has(i)) other.send(message);
    });
    worker.on('exit', () => {
      if (workers.get(index) === worker) workers.delete(index);
      if (stopping) return;
      // A worker that never came up (bad port, bad config) would fail the same way again: give up.
      if (!ready) fatal?.();
      else setTimeout(() => fork(index), 500).unref();
    });
  };
  for (let i = 1; i <= config.workers; i++) fork(i);
  const broadcastReload = (): void => {
    for (const worker of workers.values()) worker.send({ type: 'gh-balance', reload: true } satisfies WorkerMessage);
  };
  process.on('SIGHUP', broadcastReload);
  let watcher: FSWatcher | undefined;
  if (values.config) {
    let debounce: NodeJS.Timeout | undefined;
    try {
      watcher = watch(values.config, () => {
        clearTimeout(debounce);
        debounce = setTimeout(broadcastReload, 200);
      });
      watcher.on('error', () => undefined);
    } catch {
      // SIGHUP still works.
    }
  }
  return new Promise<number>((resolve) => {
    let exitCode = 0;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      watcher?.close();
      process.off('SIGHUP', broadcastReload);
      for (const worker of workers.values()) worker.process.kill('SIGTERM');
      const done = (): void => {
        if (workers.size === 0) resolve(exitCode);
      };
      for (const worker of workers.values()) worker.on('exit', done);
      done();
      setTimeout(() => resolve(0), 10_000).unref();
    };
    fatal = () => {
      exitCode = 1;
      stop();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
