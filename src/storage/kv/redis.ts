import type { Clock } from '../../core/index.js';
import type { RedisClient } from '../redis.js';
import { trackedKeys, type RedisKeyTracking } from '../redis-tracking.js';
import type { KeyValueStore } from './contract.js';

// Each key is a hash {v: value, e: expiresAt ms or ''}; logic expiry follows the injected clock,
// PEXPIRE only reclaims memory. Scripts keep read-check-write atomic across nodes; a read is one HMGET
// (both fields at once), its expiry checked here against the same clock.

const SET_IF_ABSENT = `
local e = redis.call('HGET', KEYS[1], 'e')
if e and (e == '' or tonumber(e) > tonumber(ARGV[1])) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'e', ARGV[3])
if ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1`;

const INCREMENT = `
local e = redis.call('HGET', KEYS[1], 'e')
if e and (e == '' or tonumber(e) > tonumber(ARGV[1])) then
  return redis.call('HINCRBY', KEYS[1], 'v', ARGV[4])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[4], 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return tonumber(ARGV[4])`;

/** The Redis key prefix of key-value entries: what follows it is the entry's key. */
const redisKeyValueEntryPrefix = (keyPrefix = 'gh:'): string => `${keyPrefix}kv:`;

/** A cache's change feed over a store created on `tracking.reader`: its entries' writes, by entry key. */
export function redisKeyValueChanges(tracking: RedisKeyTracking, keyPrefix?: string) {
  const { feed, keys } = trackedKeys(tracking, redisKeyValueEntryPrefix(keyPrefix));
  return { ...feed, keys };
}

export function createRedisKeyValueStore(redis: RedisClient, clock: Clock, options: { prefix?: string } = {}): KeyValueStore {
  const prefix = redisKeyValueEntryPrefix(options.prefix);
  const k = (key: string) => prefix + key;
  const read = async (key: string): Promise<[string | null, string] | null> => {
    const [value, expires] = await redis.hmget(k(key), 'v', 'e');
    if (expires === null || expires === undefined) return null;
    if (expires !== '' && Number(expires) <= clock.now()) return null;
    return [value ?? null, expires];
  };
  return {
    async get(key) {
      return (await read(key))?.[0] ?? null;
    },
    async set(key, value, ttlMs) {
      const multi = redis.multi().del(k(key)).hset(k(key), 'v', value, 'e', ttlMs === undefined ? '' : String(clock.now() + ttlMs));
      if (ttlMs !== undefined) multi.pexpire(k(key), Math.max(1, ttlMs));
      await multi.exec();
    },
    async setIfAbsent(key, value, ttlMs) {
      const expires = ttlMs === undefined ? '' : String(clock.now() + ttlMs);
      const ttl = ttlMs === undefined ? '' : String(Math.max(1, ttlMs));
      return (await redis.eval(SET_IF_ABSENT, 1, k(key), clock.now(), value, expires, ttl)) === 1;
    },
    async delete(key) {
      await redis.del(k(key));
    },
    async increment(key, ttlMs, by = 1) {
      return Number(await redis.eval(INCREMENT, 1, k(key), clock.now(), clock.now() + ttlMs, Math.max(1, ttlMs), Math.trunc(by)));
    },
    async expiresAt(key) {
      const entry = await read(key);
      return entry && entry[1] !== '' ? Number(entry[1]) : null;
    },
  };
}
