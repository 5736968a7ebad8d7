import type { Clock } from '../core/index.js';
import type { RedisClient } from '../storage/index.js';
import { isLive, newestFirst, type SessionRecord, type SessionStore } from './types.js';

// A session is a hash at <prefix>sess:t:<tokenHash>; each user has a hash <prefix>sess:u:<userId> of
// public id → token hash, for listing and revoking. Logical expiry follows the injected clock (like
// the KV store); PEXPIRE only lets Redis reclaim memory, set to the idle expiry, which never exceeds
// the absolute one. Scripts keep check-and-write atomic across nodes.

const CREATE = `
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'u', ARGV[2], 'c', ARGV[3], 'l', ARGV[4], 'ie', ARGV[5], 'ae', ARGV[6], 'ip', ARGV[7], 'ua', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[9])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[10])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < tonumber(ARGV[11]) then redis.call('PEXPIRE', KEYS[2], ARGV[11]) end
return 1`;

// Only a live session is touched: a deleted or expired one must not come back to life.
const TOUCH = `
local v = redis.call('HMGET', KEYS[1], 'ie', 'ae')
if not v[1] then return 0 end
local now = tonumber(ARGV[1])
if tonumber(v[1]) <= now or tonumber(v[2]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'l', ARGV[2], 'ie', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

const FIELDS = ['id', 'u', 'c', 'l', 'ie', 'ae', 'ip', 'ua'] as const;

function fromFields(tokenHash: string, values: (string | null)[]): SessionRecord | null {
  const [id, u, c, l, ie, ae, ip, ua] = values;
  if (!id || !u || !c || !l || !ie || !ae) return null;
  return {
    tokenHash,
    id,
    userId: u,
    createdAt: Number(c),
    lastSeenAt: Number(l),
    idleExpiresAt: Number(ie),
    absoluteExpiresAt: Number(ae),
    // '' stands for null: Redis hashes hold strings only.
    ip: ip ? ip : null,
    userAgent: ua ? ua : null,
  };
}

/** The Redis key prefix of session records: what follows it is the token hash. */
export const redisSessionRecordPrefix = (keyPrefix = 'gh:'): string => `${keyPrefix}sess:t:`;

export interface RedisSessionStoreOptions {
  prefix?: string;
  /** The connection a single session read goes through (a tracked one, for a per-node cache); default `redis`. */
  reader?: RedisClient;
}

export function createRedisSessionStore(redis: RedisClient, clock: Clock, options: RedisSessionStoreOptions = {}): SessionStore {
  const prefix = `${options.prefix ?? 'gh:'}sess:`;
  const records = redisSessionRecordPrefix(options.prefix);
  const recordKey = (tokenHash: string) => `${records}${tokenHash}`;
  const reader = options.reader ?? redis;
  const userKey = (userId: string) => `${prefix}u:${userId}`;
  const ttl = (until: number) => Math.max(1, until - clock.now());

  const read = async (tokenHash: string, via: RedisClient = redis): Promise<SessionRecord | null> =>
    fromFields(tokenHash, await via.hmget(recordKey(tokenHash), ...FIELDS));

  const readMany = async (tokenHashes: string[]): Promise<(SessionRecord | null)[]> => {
    if (tokenHashes.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const h of tokenHashes) pipeline.hmget(recordKey(h), ...FIELDS);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, values], i) => {
      if (error) throw error;
      return fromFields(tokenHashes[i]!, values as (string | null)[]);
    });
  };

  const removeAll = async (records: SessionRecord[]): Promise<void> => {
    if (records.length === 0) return;
    const multi = redis.multi();
    for (const r of records) multi.del(recordKey(r.tokenHash)).hdel(userKey(r.userId), r.id);
    await multi.exec();
  };

  return {
    async create(r) {
      await redis.eval(
        CREATE,
        2,
        recordKey(r.tokenHash),
        userKey(r.userId),
        r.id,
        r.userId,
        r.createdAt,
        r.lastSeenAt,
        r.idleExpiresAt,
        r.absoluteExpiresAt,
        r.ip ?? '',
        r.userAgent ?? '',
        ttl(r.idleExpiresAt),
        r.tokenHash,
        ttl(r.absoluteExpiresAt),
      );
    },
    async findByTokenHash(tokenHash) {
      const record = await read(tokenHash, reader);
      return record && isLive(record, clock.now()) ? record : null;
    },
    async touch(tokenHash, lastSeenAt, idleExpiresAt) {
      const result = await redis.eval(TOUCH, 1, recordKey(tokenHash), clock.now(), lastSeenAt, idleExpiresAt, ttl(idleExpiresAt));
      return Number(result) === 1;
    },
    async deleteByTokenHash(tokenHash) {
      const record = await read(tokenHash);
      if (!record) return null;
      await removeAll([record]);
      return isLive(record, clock.now()) ? record : null;
    },
    async deleteById(userId, id) {
      const tokenHash = await redis.hget(userKey(userId), id);
      if (!tokenHash) return null;
      const record = await read(tokenHash);
      if (!record || record.userId !== userId) {
        await redis.hdel(userKey(userId), id);
        return null;
      }
      await removeAll([record]);
      return isLive(record, clock.now()) ? record : null;
    },
    async deleteByUser(userId, exceptId) {
      const index = await redis.hgetall(userKey(userId));
      const entries = Object.entries(index).filter(([id]) => id !== exceptId);
      const records = await readMany(entries.map(([, h]) => h));
      const found = records.filter((r): r is SessionRecord => r !== null && r.userId === userId);
      await removeAll(found);
      // Index entries whose record Redis already reclaimed.
      const stale = entries.filter((_, i) => records[i] === null).map(([id]) => id);
      if (stale.length) await redis.hdel(userKey(userId), ...stale);
      const now = clock.now();
      return found.filter((r) => isLive(r, now)).sort(newestFirst);
    },
    async listByUser(userId) {
      const index = await redis.hgetall(userKey(userId));
      const entries = Object.entries(index);
      const records = await readMany(entries.map(([, h]) => h));
      const now = clock.now();
      const stale = entries.filter((_, i) => records[i] === null).map(([id]) => id);
      if (stale.length) await redis.hdel(userKey(userId), ...stale);
      return records.filter((r): r is SessionRecord => r !== null && r.userId === userId && isLive(r, now)).sort(newestFirst);
    },
    async sweep() {
      // Redis reclaims expired records itself (PEXPIRE); stale index entries go when their user lists.
      return 0;
    },
  };
}
