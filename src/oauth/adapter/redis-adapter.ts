import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../core/index.js';
import type { RedisClient } from '../../storage/index.js';
import { indexFields } from './models.js';

// Each artefact is a hash {p: payload JSON, e: expiresAt ms or '', c: consumed epoch s or ''}. Logical
// expiry follows the injected clock (as in storage/kv/redis.ts); PEXPIRE only reclaims memory. A grant
// index is a set per (model, grant) whose own TTL is stretched to its longest-lived member.
const UPSERT = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'e', ARGV[2], 'c', ARGV[5])
if ARGV[3] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if ARGV[6] == '1' then
  local existed = redis.call('EXISTS', KEYS[2])
  redis.call('SADD', KEYS[2], ARGV[4])
  if existed == 0 then
    if ARGV[3] ~= '' then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  else
    local t = redis.call('PTTL', KEYS[2])
    if ARGV[3] == '' then redis.call('PERSIST', KEYS[2])
    elseif t >= 0 and t < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  end
end
for i = 3, 4 do
  if ARGV[4 + i] == '1' then
    if ARGV[3] ~= '' then redis.call('SET', KEYS[i], ARGV[4], 'PX', ARGV[3]) else redis.call('SET', KEYS[i], ARGV[4]) end
  end
end
return 1`;

const FIND = `
local v = redis.call('HMGET', KEYS[1], 'p', 'e', 'c')
if not v[1] then return nil end
if v[2] ~= '' and tonumber(v[2]) <= tonumber(ARGV[1]) then return nil end
return {v[1], v[3]}`;

const FIND_BY_INDEX = `
local id = redis.call('GET', KEYS[1])
if not id then return nil end
local v = redis.call('HMGET', ARGV[2] .. id, 'p', 'e', 'c')
if not v[1] then return nil end
if v[2] ~= '' and tonumber(v[2]) <= tonumber(ARGV[1]) then return nil end
return {v[1], v[3]}`;

const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'c', ARGV[1]) end
return 1`;

const REVOKE_BY_GRANT = `
local ids = redis.call('SMEMBERS', KEYS[1])
for _, id in ipairs(ids) do redis.call('DEL', ARGV[1] .. id) end
redis.call('DEL', KEYS[1])
return #ids`;

/** One oidc-provider model in Redis, for the short-lived artefacts (see models.ts). */
export function createRedisOidcAdapter(redis: RedisClient, clock: Clock, model: string, options: { prefix?: string | undefined } = {}): Adapter {
  const base = `${options.prefix ?? 'gh:'}oidc:`;
  const dataPrefix = `${base}${model}:`;
  const grantKey = (grantId: string) => `${base}grant:${model}:${grantId}`;
  const uidKey = (uid: string) => `${base}uid:${model}:${uid}`;
  const userCodeKey = (code: string) => `${base}usercode:${model}:${code}`;
  const toPayload = (found: unknown): AdapterPayload | undefined => {
    if (!Array.isArray(found)) return undefined;
    const [json, consumed] = found as [string, string];
    const payload = JSON.parse(json) as AdapterPayload;
    if (consumed) payload.consumed = Number(consumed);
    return payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
      const { grantId, uid, userCode } = indexFields(model, payload);
      const ttlMs = typeof expiresIn === 'number' ? Math.max(1, expiresIn * 1000) : undefined;
      await redis.eval(
        UPSERT,
        4,
        dataPrefix + id,
        grantKey(grantId ?? '-'),
        uidKey(uid ?? '-'),
        userCodeKey(userCode ?? '-'),
        JSON.stringify(payload),
        ttlMs === undefined ? '' : String(clock.now() + ttlMs),
        ttlMs === undefined ? '' : String(ttlMs),
        id,
        typeof payload.consumed === 'number' ? String(payload.consumed) : '',
        grantId ? '1' : '0',
        uid ? '1' : '0',
        userCode ? '1' : '0',
      );
    },
    async find(id) {
      return toPayload(await redis.eval(FIND, 1, dataPrefix + id, clock.now()));
    },
    async findByUid(uid) {
      return toPayload(await redis.eval(FIND_BY_INDEX, 1, uidKey(uid), clock.now(), dataPrefix));
    },
    async findByUserCode(userCode) {
      return toPayload(await redis.eval(FIND_BY_INDEX, 1, userCodeKey(userCode), clock.now(), dataPrefix));
    },
    async consume(id) {
      await redis.eval(CONSUME, 1, dataPrefix + id, Math.floor(clock.now() / 1000));
    },
    async destroy(id) {
      await redis.del(dataPrefix + id);
    },
    async revokeByGrantId(grantId) {
      await redis.eval(REVOKE_BY_GRANT, 1, grantKey(grantId), dataPrefix);
    },
  };
}
