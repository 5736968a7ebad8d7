import type { Config, DeepPartial } from '../core/index.js';

/** Flags every store-touching subcommand takes, so it acts on the store a running node uses. */
export const storeFlags = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'redis-url': { type: 'string' },
} as const;

export function storeLayer(values: Record<string, unknown>): DeepPartial<Config> {
  const layer: DeepPartial<Config> = { server: {}, storage: {} };
  if (typeof values['data-dir'] === 'string') layer.server!.dataDir = values['data-dir'];
  if (typeof values['database-url'] === 'string') layer.storage!.databaseUrl = values['database-url'];
  if (typeof values['redis-url'] === 'string') layer.storage!.redisUrl = values['redis-url'];
  return layer;
}
