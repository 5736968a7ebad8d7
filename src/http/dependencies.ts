import type { AppContext } from './context.js';

export type DependencyName = 'database' | 'redis';
export type DependencyState = 'ok' | 'down' | 'unknown';

export interface DependencyStatus {
  state: DependencyState;
  /** When the state last changed (epoch ms). */
  since: number;
}

export interface DependencyMonitor {
  /** The last probe of each configured dependency; reading it never waits on a store. */
  snapshot(): Partial<Record<DependencyName, DependencyStatus>>;
  /** Whether every configured dependency answered its last probe. */
  allUp(): boolean;
  stop(): void;
}

/**
 * Probes the stores in the background (once a second, each probe bounded) so that /readyz and
 * /healthz/deps answer from memory at once: a frozen Redis or PostgreSQL must not make the health
 * endpoints themselves time out, or a balancer would eject a node for its dependency's sake.
 */
export function monitorDependencies(ctx: Pick<AppContext, 'database' | 'redis' | 'logger'>, options: { intervalMs?: number; probeTimeoutMs?: number } = {}): DependencyMonitor {
  const intervalMs = options.intervalMs ?? 1_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
  const probes: [DependencyName, () => Promise<unknown>][] = [['database', () => ctx.database.ping()]];
  const { redis } = ctx;
  if (redis) probes.push(['redis', () => redis.ping()]);
  const status = new Map<DependencyName, DependencyStatus>(probes.map(([name]) => [name, { state: 'unknown', since: Date.now() }]));
  let stopped = false;
  let running = false;

  const probeAll = async () => {
    if (running) return;
    running = true;
    try {
      await Promise.all(
        probes.map(async ([name, probe]) => {
          const state: DependencyState = await withTimeout(probe(), probeTimeoutMs).then(() => 'ok' as const, () => 'down' as const);
          const previous = status.get(name)!;
          if (previous.state === state || stopped) return;
          status.set(name, { state, since: Date.now() });
          if (state === 'down') ctx.logger.warn({ dependency: name }, 'dependency unavailable: requests that need it answer 503 until it is back');
          else if (previous.state === 'down') ctx.logger.warn({ dependency: name, downForMs: Date.now() - previous.since }, 'dependency back');
        }),
      );
    } finally {
      running = false;
    }
  };
  void probeAll();
  const timer = setInterval(() => void probeAll(), intervalMs);
  timer.unref();

  return {
    snapshot: () => Object.fromEntries(status),
    allUp: () => [...status.values()].every((s) => s.state === 'ok'),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}
