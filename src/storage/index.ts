// storage/: the databases under every feature — Kysely on SQLite (embedded) or PostgreSQL, migrations,
// the Redis client, and the key-value-with-expiry contract with memory, SQL and Redis implementations.
export { createDatabase, SQLITE_FILE } from './database.js';
export type { DatabaseHandle, DatabaseOptions, Dialect } from './database.js';
export { prepareQuery } from './prepared.js';
export type { PreparedQuery, QueryParam } from './prepared.js';
export { createUserChangeFeed } from './user-changes.js';
export { createVouchedCache } from './vouched-cache.js';
export type { KeyChanges, VouchedCache, VouchedCacheFeed, VouchedCacheOptions } from './vouched-cache.js';
export type { UserChangeFeed, UserChangeFeedOptions } from './user-changes.js';
export { migrateToLatest, MIGRATIONS } from './migrations/index.js';
export type { Database } from './schema/index.js';
export { createRedis } from './redis.js';
export { createRedisKeyTracking, trackedKeys } from './redis-tracking.js';
export type { RedisKeyTracking, RedisKeyTrackingOptions } from './redis-tracking.js';
export type { RedisClient, RedisOptions } from './redis.js';
export type { KeyValueStore } from './kv/contract.js';
export { createMemoryKeyValueStore } from './kv/memory.js';
export { createSqlKeyValueStore, sweepSqlKeyValueStore } from './kv/sql.js';
export { createRedisKeyValueStore, redisKeyValueChanges } from './kv/redis.js';
export { isStorageFault, storageUnavailable } from './faults.js';
export { isUnstorableText, unstorableText, UNSTORABLE_TEXT_MESSAGE } from './unstorable-text.js';
export { durabilityWarnings } from './durability.js';
export { createHousekeeping, deleteBatch, HOUSEKEEPING_LEASE_KEY } from './housekeeping.js';
export type { Housekeeping, HousekeepingOptions, HousekeepingReport, HousekeepingTask } from './housekeeping.js';
