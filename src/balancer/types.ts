/** Where a backend is in its life: only `up` and `slow-start` backends receive new work. */
export type BackendState = 'up' | 'down' | 'draining' | 'slow-start';

/** How a backend is declared (config file, flag, admin API). */
export interface BackendSpec {
  host: string;
  port: number;
  /** Relative share of the traffic; integer ≥ 0 (0 = receives nothing). Default 1. */
  weight?: number;
  /** Stable name; defaults to `host:port`. */
  id?: string;
}

/** One backend and the live figures the algorithms, the health checks and the admin API read. */
export interface Backend {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Configured weight. */
  weight: number;
  /** Weight the algorithms use: the configured one, ramped up during slow start. */
  effectiveWeight: number;
  state: BackendState;
  /** Requests (L7) or connections (L4) in flight right now. */
  activeConnections: number;
  /** Requests or connections handed to it since it was added. */
  requests: number;
  /** Failed requests or connections since it was added. */
  failures: number;
  /** Failures to reach it since the last success: what the consecutive-failure rule counts. */
  consecutiveFailures: number;
  /** The failure-rate window passive ejection reads: when it opened, and the outcomes in it. */
  windowStart: number;
  windowRequests: number;
  windowFailures: number;
  /** Exponentially weighted moving average of response latency, ms; 0 until the first sample. */
  latencyMs: number;
  /** Clock time the backend entered its current state. */
  since: number;
}

/** What an algorithm may look at to choose: the client address and, for hashing, a routing key. */
export interface PickContext {
  clientIp: string;
  /** Consistent-hash key (header, cookie, path…); the client IP is used when absent. */
  key?: string;
  /** Backends this request or connection already tried: a retry never goes back to one of them. */
  exclude?: ReadonlySet<string> | undefined;
}

/**
 * One load-balancing algorithm. `eligible` is never empty and holds only backends that may take new
 * work, in a stable order; `all` is every configured backend (hashes that must not move when one
 * backend goes down use it).
 */
export interface Algorithm {
  readonly name: AlgorithmName;
  pick(eligible: readonly Backend[], ctx: PickContext, all: readonly Backend[]): Backend;
}

export const ALGORITHM_NAMES = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'ip-hash',
  'consistent-hash',
  'random-two',
  'least-latency',
] as const;

export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

export interface AlgorithmOptions {
  /** Uniform [0,1) source for random-two; injected so tests are exact. */
  random?: () => number;
  /** Consistent hashing with bounded loads: no backend takes more than loadFactor × the mean. */
  loadFactor?: number;
  /** Ring points per unit of weight. */
  virtualNodes?: number;
}
