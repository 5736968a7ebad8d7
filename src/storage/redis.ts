import { Redis } from 'ioredis';

export type RedisClient = Redis;

/**
 * A Redis connection that never crashes the process: errors surface on commands (and /readyz), and
 * ioredis reconnects by itself. Commands fail fast while disconnected instead of queueing forever.
 */
export function createRedis(url: string, options: { name?: string } = {}): RedisClient {
  const client = new Redis(url, {
    connectionName: options.name ?? 'gatehouse',
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  client.on('error', () => {});
  return client;
}
