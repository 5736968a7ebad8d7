import { EventEmitter } from 'node:events';
import { GatehouseError, systemClock, type Clock } from '../core/index.js';
import { ALGORITHMS } from './algorithms/index.js';
import { ALGORITHM_NAMES, type Algorithm, type AlgorithmName, type AlgorithmOptions, type Backend, type BackendSpec, type PickContext } from './types.js';

export interface PoolOptions {
  backends?: readonly BackendSpec[];
  algorithm?: AlgorithmName;
  algorithmOptions?: AlgorithmOptions;
  clock?: Clock;
  /** A backend that comes back ramps its weight from 10% to 100% over this long (ms); 0 = off. */
  slowStartMs?: number;
  /**
   * Passive ejection: this many consecutive failures to reach a backend (connect refused or timed out)
   * take it out (0 = off)…
   */
  maxFailures?: number;
  /** …for this long (ms), after which it returns in slow start. */
  ejectMs?: number;
  /**
   * …and so does a failure rate of at least this percent (0 = off) over `windowMs`, once the window
   * holds `minRequests` outcomes (Envoy's failure-percentage outlier detection).
   */
  failurePercent?: number;
  minRequests?: number;
  windowMs?: number;
  /** No more than this share of the pool is ever out (down) because of passive ejection. */
  maxEjectionPercent?: number;
  /** Retries may add this percent on top of first attempts, plus `minPerSecond` whatever the traffic. */
  retryBudget?: { percent: number; minPerSecond: number };
  /** Latency EWMA smoothing factor for each new sample (0..1]. */
  ewmaAlpha?: number;
}

/**
 * Events: 'state' (backend, previous) on every state change, 'draining' (backend) when drain starts,
 * 'drained' (backend) when a draining backend's last request finishes, 'removed' (backend).
 */
export interface Pool extends EventEmitter {
  readonly algorithm: AlgorithmName;
  list(): readonly Backend[];
  get(id: string): Backend | undefined;
  add(spec: BackendSpec): Backend;
  remove(id: string): Backend;
  drain(id: string): Backend;
  /** Takes a draining backend back into rotation (through slow start); any other state is left as is. */
  undrain(id: string): Backend;
  setWeight(id: string, weight: number): Backend;
  setAlgorithm(name: AlgorithmName | string): void;
  /**
   * A backend for a new request or connection, or null when none may take work. With `ctx.exclude`
   * (the backends a retried request already tried) it is a retry: never one of those, and only while
   * the retry budget lasts.
   */
  pick(ctx: PickContext): Backend | null;
  /** Marks a request or connection as started on `backend`. */
  acquire(backend: Backend): void;
  /**
   * Ends what acquire() started. `ok: false` counts toward passive ejection; `ok: null` counts neither
   * way (the client went away, or a kept-alive connection had gone stale).
   */
  release(backend: Backend, outcome: Outcome): void;
  /** Health checks: the backend answers (again) or stopped answering. */
  markUp(id: string): void;
  markDown(id: string): void;
  /** Stops timers. */
  close(): void;
}

/** How one request or connection ended, as far as the backend's health is concerned. */
export interface Outcome {
  ok: boolean | null;
  latencyMs?: number;
  /**
   * The backend could not be reached (connect refused or timed out): its fault whatever the request,
   * so these count toward the consecutive-failure rule. Other failures (a reset or a malformed answer
   * once the request was sent) may be the request's doing and count toward the failure rate only.
   */
  unreachable?: boolean;
}

/** Outcomes without a latency, shared so the hot path does not allocate one per request. */
export const SUCCEEDED: Outcome = Object.freeze({ ok: true });
export const FAILED: Outcome = Object.freeze({ ok: false });
export const UNREACHABLE: Outcome = Object.freeze({ ok: false, unreachable: true });
export const UNCOUNTED: Outcome = Object.freeze({ ok: null });

export function backendId(spec: BackendSpec): string {
  return spec.id ?? `${spec.host}:${spec.port}`;
}

export function validateSpec(spec: BackendSpec): void {
  const weight = spec.weight ?? 1;
  if (typeof spec.host !== 'string' || spec.host.length === 0 || spec.host.length > 255) {
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: 'A backend needs a host.' });
  }
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Backend port must be 1-65535 (got ${String(spec.port)}).` });
  }
  if (!Number.isInteger(weight) || weight < 0 || weight > 1000) {
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: 'Backend weight must be an integer 0-1000.' });
  }
}

export function isAlgorithmName(name: string): name is AlgorithmName {
  return (ALGORITHM_NAMES as readonly string[]).includes(name);
}

export function createPool(options: PoolOptions = {}): Pool {
  const clock = options.clock ?? systemClock;
  const slowStartMs = options.slowStartMs ?? 0;
  const maxFailures = options.maxFailures ?? 3;
  const ejectMs = options.ejectMs ?? 10_000;
  const alpha = options.ewmaAlpha ?? 0.3;
  const failurePercent = options.failurePercent ?? 50;
  const minRequests = options.minRequests ?? 20;
  const windowMs = options.windowMs ?? 10_000;
  const maxEjectionPercent = options.maxEjectionPercent ?? 50;
  const budget = createRetryBudget(clock, options.retryBudget ?? { percent: 20, minPerSecond: 10 });
  const backends: Backend[] = [];
  const timers = new Map<string, () => void>();
  let algorithmName: AlgorithmName = options.algorithm ?? 'round-robin';
  let algorithm: Algorithm = ALGORITHMS[algorithmName](options.algorithmOptions);
  const emitter = new EventEmitter();

  const find = (id: string): Backend => {
    const backend = backends.find((b) => b.id === id);
    if (!backend) throw new GatehouseError('GH_BALANCER_BACKEND_NOT_FOUND', { details: { id } });
    return backend;
  };

  const setState = (backend: Backend, state: Backend['state']): void => {
    if (backend.state === state) return;
    const previous = backend.state;
    backend.state = state;
    backend.since = clock.now();
    backend.effectiveWeight = state === 'slow-start' ? rampedWeight(backend, 0) : backend.weight;
    emitter.emit('state', backend, previous);
  };

  const rampedWeight = (backend: Backend, elapsed: number): number =>
    backend.weight * Math.min(1, 0.1 + (0.9 * elapsed) / Math.max(1, slowStartMs));

  const comeBack = (backend: Backend): void => {
    backend.consecutiveFailures = 0;
    backend.windowStart = clock.now();
    backend.windowRequests = 0;
    backend.windowFailures = 0;
    setState(backend, slowStartMs > 0 ? 'slow-start' : 'up');
  };

  const clearTimer = (id: string): void => {
    timers.get(id)?.();
    timers.delete(id);
  };

  const pool = Object.assign(emitter, {
    list: () => backends,
    get: (id: string) => backends.find((b) => b.id === id),
    add(spec: BackendSpec): Backend {
      validateSpec(spec);
      const id = backendId(spec);
      if (backends.some((b) => b.id === id)) {
        throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Backend ${id} already exists.` });
      }
      const weight = spec.weight ?? 1;
      const backend: Backend = {
        id,
        host: spec.host,
        port: spec.port,
        weight,
        effectiveWeight: weight,
        state: 'up',
        activeConnections: 0,
        requests: 0,
        failures: 0,
        consecutiveFailures: 0,
        windowStart: clock.now(),
        windowRequests: 0,
        windowFailures: 0,
        latencyMs: 0,
        since: clock.now(),
      };
      backends.push(backend);
      emitter.emit('added', backend);
      return backend;
    },
    remove(id: string): Backend {
      const backend = find(id);
      backends.splice(backends.indexOf(backend), 1);
      clearTimer(id);
      emitter.emit('removed', backend);
      return backend;
    },
    drain(id: string): Backend {
      const backend = find(id);
      if (backend.state === 'draining') return backend;
      setState(backend, 'draining');
      clearTimer(id);
      emitter.emit('draining', backend);
      if (backend.activeConnections === 0) emitter.emit('drained', backend);
      return backend;
    },
    undrain(id: string): Backend {
      const backend = find(id);
      // Only a drain is undone here: a backend that health checks or ejection took down comes back by
      // their evidence, not by an operator's word.
      if (backend.state === 'draining') comeBack(backend);
      return backend;
    },
    setWeight(id: string, weight: number): Backend {
      const backend = find(id);
      validateSpec({ host: backend.host, port: backend.port, weight });
      backend.weight = weight;
      backend.effectiveWeight = backend.state === 'slow-start' ? rampedWeight(backend, clock.now() - backend.since) : weight;
      return backend;
    },
    setAlgorithm(name: string): void {
      if (!isAlgorithmName(name)) {
        throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', {
          message: `Unknown algorithm "${name.slice(0, 40)}"; one of: ${ALGORITHM_NAMES.join(', ')}.`,
        });
      }
      if (name === algorithmName) return;
      algorithm = ALGORITHMS[name](options.algorithmOptions);
      algorithmName = name;
    },
    pick(ctx: PickContext): Backend | null {
      const now = clock.now();
      const exclude = ctx.exclude;
      const retry = exclude !== undefined && exclude.size > 0;
      const eligible: Backend[] = [];
      for (const backend of backends) {
        if (backend.state === 'slow-start') {
          const elapsed = now - backend.since;
          if (elapsed >= slowStartMs) setState(backend, 'up');
          else backend.effectiveWeight = rampedWeight(backend, elapsed);
        }
        if ((backend.state === 'up' || backend.state === 'slow-start') && backend.weight > 0 && !(retry && exclude.has(backend.id))) eligible.push(backend);
      }
      if (eligible.length === 0) return null;
      if (!retry) budget.earn();
      else if (!budget.spend(now)) return null;
      return algorithm.pick(eligible, ctx, backends);
    },
    acquire(backend: Backend): void {
      backend.activeConnections++;
      backend.requests++;
    },
    release(backend: Backend, outcome: Outcome): void {
      backend.activeConnections = Math.max(0, backend.activeConnections - 1);
      if (outcome.ok !== null) {
        const now = clock.now();
        if (now - backend.windowStart >= windowMs) {
          backend.windowStart = now;
          backend.windowRequests = 0;
          backend.windowFailures = 0;
        }
        backend.windowRequests++;
        if (outcome.ok) {
          backend.consecutiveFailures = 0;
          if (outcome.latencyMs !== undefined) {
            backend.latencyMs = backend.latencyMs === 0 ? outcome.latencyMs : backend.latencyMs + alpha * (outcome.latencyMs - backend.latencyMs);
          }
        } else {
          backend.failures++;
          if (outcome.unreachable) backend.consecutiveFailures++;
          backend.windowFailures++;
          if ((backend.state === 'up' || backend.state === 'slow-start') && failing(backend) && mayEject()) eject(backend);
        }
      }
      if (backend.state === 'draining' && backend.activeConnections === 0) emitter.emit('drained', backend);
    },
    markUp(id: string): void {
      const backend = find(id);
      if (backend.state !== 'down') return;
      clearTimer(id);
      comeBack(backend);
    },
    markDown(id: string): void {
      const backend = find(id);
      if (backend.state === 'down' || backend.state === 'draining') return;
      clearTimer(id);
      setState(backend, 'down');
    },
    close(): void {
      for (const id of [...timers.keys()]) clearTimer(id);
    },
  });

  const failing = (backend: Backend): boolean =>
    (maxFailures > 0 && backend.consecutiveFailures >= maxFailures) ||
    (failurePercent > 0 && backend.windowRequests >= minRequests && backend.windowFailures * 100 >= failurePercent * backend.windowRequests);

  // The cap counts every backend that is out, whatever took it out: passive ejection never takes the
  // pool below (100 - maxEjectionPercent)% of its members, so one bad request pattern cannot empty it.
  const mayEject = (): boolean => {
    let down = 0;
    for (const b of backends) if (b.state === 'down') down++;
    return down + 1 <= Math.floor((backends.length * maxEjectionPercent) / 100);
  };

  // Passive ejection: out for ejectMs, then back in slow start (the active check, when configured,
  // may take it out again at once).
  function eject(backend: Backend): void {
    setState(backend, 'down');
    clearTimer(backend.id);
    timers.set(
      backend.id,
      clock.setTimer(ejectMs, () => {
        timers.delete(backend.id);
        if (backend.state === 'down' && backends.includes(backend)) comeBack(backend);
      }),
    );
  }

  // Object.assign would copy a getter's value once; the live name needs a real accessor.
  Object.defineProperty(pool, 'algorithm', { get: () => algorithmName, enumerable: true });
  for (const spec of options.backends ?? []) pool.add(spec);
  return pool as unknown as Pool;
}

/**
 * Retries as a share of first attempts (Finagle's and Envoy's retry budget): each first attempt earns
 * percent/100 of a retry, each retry spends one; `minPerSecond` retries are allowed whatever the
 * traffic so a quiet balancer still retries. When a whole pool fails, retries stop multiplying the load.
 */
function createRetryBudget(clock: Clock, { percent, minPerSecond }: { percent: number; minPerSecond: number }) {
  const perRequest = percent / 100;
  // Earned retries are capped so a long quiet stretch cannot save up a storm.
  const cap = Math.max(10, minPerSecond * 10);
  let balance = 0;
  let second = -1;
  let usedThisSecond = 0;
  return {
    earn(): void {
      if (balance < cap) balance += perRequest;
    },
    spend(now: number): boolean {
      const s = Math.floor(now / 1000);
      if (s !== second) {
        second = s;
        usedThisSecond = 0;
      }
      if (usedThisSecond < minPerSecond) {
        usedThisSecond++;
        return true;
      }
      if (balance >= 1) {
        balance -= 1;
        return true;
      }
      return false;
    },
  };
}
