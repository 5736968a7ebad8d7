import type { Kysely } from 'kysely';
import type { Adapter, AdapterFactory } from 'oidc-provider';
import type { Clock } from '../../core/index.js';
import type { Database, RedisClient } from '../../storage/index.js';
import { isDurableModel } from './models.js';
import { createRedisOidcAdapter } from './redis-adapter.js';
import { createSqlOidcAdapter } from './sql-adapter.js';

export interface OidcAdapterOptions {
  db: Kysely<Database>;
  /** When given, short-lived models (sessions, interactions, codes, access tokens, …) live here. */
  redis?: RedisClient | undefined;
  /** Redis key prefix (config.storage.keyPrefix). */
  prefix?: string | undefined;
  clock: Clock;
}

/** The `adapter` of oidc-provider's configuration: durable models in SQL, the rest in Redis if any. */
export function createOidcAdapterFactory(options: OidcAdapterOptions): AdapterFactory {
  const cache = new Map<string, Adapter>();
  return (model: string) => {
    let adapter = cache.get(model);
    if (!adapter) {
      adapter = options.redis && !isDurableModel(model)
        ? createRedisOidcAdapter(options.redis, options.clock, model, { prefix: options.prefix })
        : createSqlOidcAdapter(options.db, options.clock, model);
      cache.set(model, adapter);
    }
    return adapter;
  };
}
