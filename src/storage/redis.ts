import { Redis } from 'ioredis';

export type RedisClient = Redis;

export interface RedisOptions {
  name?: string;
  /**
   * Every command (also one queued while disconnected) fails after this long with "Command timed
   * out", which the HTTP layer answers as a 503: a frozen Redis (SIGSTOP, a stalled network) never
   * holds a request longer. Unset: no bound (tests of raw Redis behaviour).
   */
  commandTimeoutMs?: number;
}

/**
 * A Redis connection that never crashes the process: errors surface on commands (and /readyz), and
 * ioredis reconnects by itself. While disconnected, commands wait in the offline queue for at most two
 * reconnection attempts and never longer than the command timeout, then fail fast.
 */
export function createRedis(url: string, options: RedisOptions = {}): RedisClient {
  const client = new Redis(url, {
    connectionName: options.name ?? 'gatehouse',
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    // A dead peer is noticed by TCP keep-alive even when nothing is being sent.
    keepAlive: 10_000,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs, connectTimeout: Math.max(options.commandTimeoutMs, 1_000) }),
    // Reconnect quickly (a restarted Redis is back within seconds) and keep trying forever.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  });
  client.on('error', () => {});
  return client;
}
