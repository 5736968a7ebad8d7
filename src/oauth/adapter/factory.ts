import type { Kysely } from 'kysely';
import type { Adapter, AdapterFactory } from 'oidc-provider';
import type { Clock } from '../../core/index.js';
import { isStorageFault, type Database, type RedisClient, type UserChangeFeed } from '../../storage/index.js';
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
  /**
   * The SQLite change feed (a serve node's user-change feed): client rows are then remembered per node
   * (sql-adapter.ts `clientRowCache`), for at most `cacheMaxAgeMs`.
   */
  changes?: UserChangeFeed | null | undefined;
  cacheMaxAgeMs?: number | undefined;
}

/** Clients remembered per node: far more than a deployment registers. */
const CLIENT_CACHE_SIZE = 1_000;

/** The `adapter` of oidc-provider's configuration: durable models in SQL, the rest in Redis if any. */
export function createOidcAdapterFactory(options: OidcAdapterOptions): AdapterFactory {
  const cache = new Map<string, Adapter>();
  const { changes } = options;
  const clientCache = changes?.clients
    ? { feed: changes, clientChanges: changes.clients, size: CLIENT_CACHE_SIZE, maxAgeMs: options.cacheMaxAgeMs ?? 30_000 }
    : undefined;
  return (model: string) => {
    let adapter = cache.get(model);
    if (!adapter) {
      adapter = unavailableAs503(
        options.redis && !isDurableModel(model)
          ? createRedisOidcAdapter(options.redis, options.clock, model, { prefix: options.prefix })
          : createSqlOidcAdapter(options.db, options.clock, model, { clientCache }),
      );
      cache.set(model, adapter);
    }
    return adapter;
  };
}

/** The OAuth error code RFC 6749 §4.1.2.1 gives a server that cannot answer for now. */
export const TEMPORARILY_UNAVAILABLE = 'temporarily_unavailable';
const UNAVAILABLE_DESCRIPTION = 'The authorization server cannot reach its data store; retry shortly.';

/** The body of every 503 of the authorization server (the status and Retry-After are set beside it). */
export function temporarilyUnavailableBody(): { error: string; error_description: string } {
  return { error: TEMPORARILY_UNAVAILABLE, error_description: UNAVAILABLE_DESCRIPTION };
}

/**
 * oidc-provider turns any error it does not know into 500 server_error. A store that is down is a
 * 503 temporarily_unavailable instead (exposed, so the client sees it; the provider's middleware adds
 * Retry-After): the client should retry, and nothing is wrong with its request.
 */
function unavailableAs503(adapter: Adapter): Adapter {
  const wrapped = {} as Record<string, unknown>;
  for (const name of ['upsert', 'find', 'findByUserCode', 'findByUid', 'consume', 'destroy', 'revokeByGrantId'] as const) {
    const method = adapter[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof method !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await method.apply(adapter, args);
      } catch (error) {
        if (!isStorageFault(error)) throw error;
        throw Object.assign(new Error(TEMPORARILY_UNAVAILABLE, { cause: error }), {
          ...temporarilyUnavailableBody(),
          status: 503,
          statusCode: 503,
          expose: true,
        });
      }
    };
  }
  return wrapped as unknown as Adapter;
}
