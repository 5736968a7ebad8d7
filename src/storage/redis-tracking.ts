import { performance } from 'node:perf_hooks';
import { startHeartbeat } from './heartbeat.js';
import type { RedisClient } from './redis.js';
import type { KeyChanges, VouchedCacheFeed } from './vouched-cache.js';

/**
 * Redis's own change feed for a per-node memory (server-assisted client-side caching, Redis ≥ 6): keys
 * read on `reader` are tracked by the server, and any later change to one of them (a write by any
 * client, expiry, eviction, FLUSHALL) is pushed to this node as an invalidation on a second connection.
 * The same shape as the SQL feeds (`vouches`, `onChange`), so a vouched cache sits on it unchanged.
 */
export interface RedisKeyTracking {
  /** The connection whose reads are tracked: a cache's loads must go through it, and nothing else should. */
  readonly reader: RedisClient;
  /**
   * Whether memory may be served right now: tracking is armed on both connections and a heartbeat that
   * crossed both came back within `staleAfterMs` (every invalidation Redis sent before it has then
   * arrived). False while either connection is down or Redis stops answering: read the store.
   */
  vouches(): boolean;
  /**
   * Resolves at the end of this turn's poll phase (one shared setImmediate). Redis writes an
   * invalidation before it answers the write that caused it, so by the time a client has heard of a
   * logout and asked this node again, the message is already readable here: waiting out the poll phase
   * that read the request applies it before memory answers. A vouched cache awaits this on every hit.
   */
  settle(): Promise<void>;
  /** A tracked key changed, or (null) anything may have: tracking was (re)armed, lost or flushed. */
  onChange(listener: (key: string | null) => void): void;
  readonly live: boolean;
  onLive(listener: (live: boolean) => void): void;
  close(): Promise<void>;
}

export interface RedisKeyTrackingOptions {
  /** Names the two connections in CLIENT LIST. */
  name?: string;
  /** How often both connections are pinged. Default 1 000 ms. */
  heartbeatMs?: number;
  /** Memory is not served once the last answered heartbeat was sent longer ago than this. Default 2.5 × heartbeatMs. */
  staleAfterMs?: number;
}

const CHANNEL = '__redis__:invalidate';

/**
 * `tracking` as a vouched cache's feed ("anything may have changed": tracking lost, re-armed, Redis
 * flushed), with the changed keys that start with `prefix`, the prefix cut off. Only reads made through
 * `tracking.reader` are tracked.
 */
export function trackedKeys(tracking: RedisKeyTracking, prefix: string): { feed: VouchedCacheFeed; keys: KeyChanges } {
  return {
    feed: { vouches: tracking.vouches, settle: tracking.settle, onChange: (fn) => tracking.onChange((key) => key === null && fn(null)) },
    keys: { onChange: (fn) => tracking.onChange((key) => key?.startsWith(prefix) && fn(key.slice(prefix.length))) },
  };
}

/**
 * Opens the two connections (duplicates of `redis`: same server, credentials, timeouts) and keeps
 * tracking armed across reconnections. Fails closed: when arming fails (Redis older than 6, a proxy that
 * refuses CLIENT TRACKING) it simply never vouches, and every read goes to Redis as before.
 */
export function createRedisKeyTracking(redis: RedisClient, options: RedisKeyTrackingOptions = {}): RedisKeyTracking {
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const staleAfterMs = options.staleAfterMs ?? Math.round(heartbeatMs * 2.5);
  const name = options.name ?? 'gatehouse';
  // The subscriber is armed by hand after every (re)connection: its client id must be read before it
  // enters subscriber mode, so ioredis must not resubscribe on its own.
  const subscriber = redis.duplicate({ connectionName: `${name}-invalidations`, autoResubscribe: false, enableOfflineQueue: false });
  const reader = redis.duplicate({ connectionName: `${name}-tracked-reads` });
  subscriber.on('error', () => {});
  reader.on('error', () => {});

  const changeListeners: ((key: string | null) => void)[] = [];
  const liveListeners: ((live: boolean) => void)[] = [];
  const changed = (key: string | null) => changeListeners.forEach((fn) => fn(key));
  let armed = false;
  let generation = 0;
  let closed = false;
  // Invalidations travel on the subscriber connection in order, so when its PONG arrives every
  // invalidation Redis produced before it answered has been handled. A reader PING proves its tracking
  // is still the server's.
  const heartbeat = startHeartbeat({
    intervalMs: heartbeatMs,
    staleAfterMs,
    beat: () => (armed ? Promise.all([subscriber.ping(), reader.ping()]) : null),
  });

  const setArmed = (value: boolean) => {
    if (armed === value) return;
    armed = value;
    liveListeners.forEach((fn) => fn(value));
  };
  // Anything may have changed while tracking was not in force: memory is forgotten, and not served
  // again until tracking is armed anew.
  const disarm = () => {
    generation += 1;
    heartbeat.forget();
    setArmed(false);
    changed(null);
  };

  // The subscriber's client id, known from its `ready` until its `close`: the reader's invalidations
  // are redirected to it. It must be read before SUBSCRIBE (a subscribed connection answers little).
  let subscriberId: number | null = null;
  let subscriberRound = 0;
  const arm = async () => {
    disarm();
    const mine = generation;
    if (closed || subscriberId === null || reader.status !== 'ready') return;
    try {
      const sentAt = performance.now();
      await reader.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(subscriberId));
      if (mine !== generation) return;
      heartbeat.confirm(sentAt);
      setArmed(true);
    } catch {
      // Not armed: never vouches until the next (re)connection arms it.
    }
  };

  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
    if (channel.toString() !== CHANNEL) return;
    // A list of keys; null when the server flushed everything (FLUSHALL, FLUSHDB).
    if (message === null || !Array.isArray(message)) return changed(null);
    for (const key of message) changed(key.toString());
  });
  subscriber.on('ready', () => {
    subscriberId = null;
    const round = ++subscriberRound;
    void (async () => {
      try {
        const id = await subscriber.client('ID');
        await subscriber.subscribe(CHANNEL);
        if (round !== subscriberRound) return;
        subscriberId = id;
        await arm();
      } catch {
        // The next `ready` tries again.
      }
    })();
  });
  subscriber.on('close', () => {
    subscriberRound += 1;
    subscriberId = null;
    disarm();
  });
  reader.on('ready', () => void arm());
  reader.on('close', disarm);

  let turnEnd: Promise<void> | null = null;
  const settle = () =>
    (turnEnd ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        turnEnd = null;
        resolve();
      }),
    ));

  return {
    reader,
    vouches: () => armed && heartbeat.fresh(),
    settle,
    onChange: (fn) => void changeListeners.push(fn),
    get live() {
      return armed;
    },
    onLive: (fn) => void liveListeners.push(fn),
    async close() {
      closed = true;
      heartbeat.stop();
      disarm();
      await Promise.all([subscriber, reader].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
