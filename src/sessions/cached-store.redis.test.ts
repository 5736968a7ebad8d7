// The per-node session cache with sessions in Redis, kept honest by Redis tracking (client-side
// caching), proven against real Redis servers: what it serves from memory, and every way a session can
// change behind the node's back — another node's logout, a raw write by any client, expiry — and what
// happens when the invalidations cannot reach it (their connection killed, Redis frozen or flushed).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, sha256, type ManualClock } from '../core/index.js';
import { createTestRedis } from '../../test/support/services.js';
import { until } from '../../test/support/wait.js';
import { startPrivateRedis, type PrivateStore } from '../../test/faults/support.js';
import { createRedis, createRedisKeyTracking, type RedisClient, type RedisKeyTracking } from '../storage/index.js';
import { createCachedSessionStore, redisSessionChanges } from './cached-store.js';
import { createRedisSessionStore, redisSessionRecordPrefix } from './redis-store.js';
import type { SessionRecord, SessionStore } from './types.js';

const MIN = 60_000;

interface Node {
  /** Its tracking connections are `<name>-invalidations` and `<name>-tracked-reads` in CLIENT LIST. */
  name: string;
  store: SessionStore;
  tracking: RedisKeyTracking;
  /** Reads that reached Redis. */
  reads(): number;
  close(): Promise<void>;
}

function startNode(redis: RedisClient, clock: ManualClock, prefix: string, name: string): Node {
  const tracking = createRedisKeyTracking(redis, { name, heartbeatMs: 100 });
  const inner = createRedisSessionStore(redis, clock, { prefix, reader: tracking.reader });
  let reads = 0;
  const counted: SessionStore = {
    ...inner,
    findByTokenHash: (tokenHash) => {
      reads += 1;
      return inner.findByTokenHash(tokenHash);
    },
  };
  const store = createCachedSessionStore(counted, { size: 100, maxAgeMs: 30 * MIN, clock, ...redisSessionChanges(tracking, prefix) });
  return { name, store, tracking, reads: () => reads, close: () => tracking.close() };
}

const clientIdNamed = async (redis: RedisClient, name: string): Promise<string> => {
  const line = ((await redis.client('LIST')) as string).split('\n').find((l) => l.includes(` name=${name} `));
  return /\bid=(\d+)/.exec(line ?? '')![1]!;
};

let n = 0;
const record = (clock: ManualClock, overrides: Partial<SessionRecord> = {}): SessionRecord => {
  n += 1;
  const now = clock.now();
  return { tokenHash: sha256(`redis-cached-${n}-${Math.random()}`), id: `s-${n}`, userId: 'u-1', createdAt: now, lastSeenAt: now, idleExpiresAt: now + 30 * MIN, absoluteExpiresAt: now + 120 * MIN, ip: null, userAgent: null, ...overrides };
};

describe('the session cache on Redis (tracking)', () => {
  let redis: Awaited<ReturnType<typeof createTestRedis>>;
  let clock: ManualClock;
  let node: Node;
  let other: Node;

  beforeEach(async () => {
    redis = await createTestRedis();
    clock = createManualClock();
    const run = redis.prefix.split(':')[1];
    node = startNode(redis.redis, clock, redis.prefix, `gh-test-node-${run}`);
    other = startNode(redis.redis, clock, redis.prefix, `gh-test-other-${run}`);
    await until(() => node.tracking.vouches() && other.tracking.vouches(), 'tracking armed on both nodes');
  });
  afterEach(async () => {
    await node.close();
    await other.close();
    await redis.dispose();
  });

  it('serves a session it has read from memory', async () => {
    const r = record(clock);
    await node.store.create(r);
    expect(await node.store.findByTokenHash(r.tokenHash)).toMatchObject({ id: r.id });
    expect(await node.store.findByTokenHash(r.tokenHash)).toMatchObject({ id: r.id });
    expect(await node.store.findByTokenHash(r.tokenHash)).toMatchObject({ id: r.id });
    expect(node.reads()).toBe(1);
  });

  it("forgets a session another node logs out, without being told by this node's code", async () => {
    const r = record(clock);
    await other.store.create(r);
    expect(await node.store.findByTokenHash(r.tokenHash)).toMatchObject({ id: r.id });
    expect(await node.store.findByTokenHash(r.tokenHash)).not.toBeNull();
    expect(node.reads()).toBe(1);
    expect(await other.store.deleteByTokenHash(r.tokenHash)).toMatchObject({ id: r.id });
    await until(async () => (await node.store.findByTokenHash(r.tokenHash)) === null, "the other node's logout reaching this node");
    expect(node.reads()).toBeGreaterThan(1);
  });

  it('refuses a session on the very next read after another node logged it out, without waiting for anything', async () => {
    // The two nodes share this process's event loop, the tightest race there is: the invalidation and
    // the logout's answer arrive together, and the read starts the moment the logout returns.
    for (let i = 0; i < 20; i += 1) {
      const r = record(clock);
      await other.store.create(r);
      expect(await node.store.findByTokenHash(r.tokenHash)).not.toBeNull();
      expect(await node.store.findByTokenHash(r.tokenHash)).not.toBeNull();
      expect(await other.store.deleteByTokenHash(r.tokenHash)).toMatchObject({ id: r.id });
      expect(await node.store.findByTokenHash(r.tokenHash)).toBeNull();
    }
    // Each was remembered after its first read: the second answers came from memory.
    expect(node.reads()).toBeLessThan(60);
  });

  it('follows a raw write by any client, and Redis expiring the key', async () => {
    const r = record(clock);
    await node.store.create(r);
    const key = `${redisSessionRecordPrefix(redis.prefix)}${r.tokenHash}`;
    expect(await node.store.findByTokenHash(r.tokenHash)).toMatchObject({ userId: 'u-1' });
    await redis.redis.hset(key, 'u', 'u-2');
    await until(async () => (await node.store.findByTokenHash(r.tokenHash))?.userId === 'u-2', 'a raw HSET reaching the cache');
    await redis.redis.pexpire(key, 1);
    // Redis deletes an expired key when some client touches it (or its expiry cycle samples it, which on
    // a busy shared server may take long); the deletion is what invalidates.
    await until(async () => (await redis.redis.exists(key)) === 0 && (await node.store.findByTokenHash(r.tokenHash)) === null, 'the key expiring in Redis');
  });

  it.each(['invalidations', 'tracked-reads'])('stops serving memory once its %s connection is lost, and misses no write made meanwhile', async (connection) => {
    const r = record(clock);
    await node.store.create(r);
    expect(await node.store.findByTokenHash(r.tokenHash)).not.toBeNull();
    const live: boolean[] = [];
    node.tracking.onLive((l) => live.push(l));
    await redis.redis.client('KILL', 'ID', await clientIdNamed(redis.redis, `${node.name}-${connection}`));
    await until(() => live.includes(false), 'the lost connection noticed');
    // Written while nothing could tell this node: it must not answer from what it remembered.
    await other.store.deleteByTokenHash(r.tokenHash);
    expect(await node.store.findByTokenHash(r.tokenHash)).toBeNull();
    await until(() => node.tracking.vouches(), 'tracking armed again');
    const again = record(clock);
    await node.store.create(again);
    const reads = node.reads();
    await node.store.findByTokenHash(again.tokenHash);
    await node.store.findByTokenHash(again.tokenHash);
    expect(node.reads()).toBe(reads + 1);
    await other.store.deleteByTokenHash(again.tokenHash);
    await until(async () => (await node.store.findByTokenHash(again.tokenHash)) === null, 'invalidations flowing on the new connection');
  });
});

// A Redis of its own, to freeze and flush without touching the shared one.
describe('the session cache on a Redis that stops answering or forgets everything', () => {
  let server: PrivateStore;
  let redis: RedisClient;
  let clock: ManualClock;
  let node: Node;

  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    server.thaw();
    await server.stop();
  });
  beforeEach(async () => {
    redis = createRedis(server.url, { name: 'gh-test-private', commandTimeoutMs: 500 });
    clock = createManualClock();
    node = startNode(redis, clock, 'ghtest:', 'gh-test-private-node');
    await until(() => node.tracking.vouches(), 'tracking armed');
  });
  afterEach(async () => {
    server.thaw();
    await node.close();
    await redis.quit().catch(() => redis.disconnect());
  });

  it('fails closed when Redis freezes: the heartbeat stops vouching and the session read waits on Redis, not memory', async () => {
    const r = record(clock);
    await node.store.create(r);
    expect(await node.store.findByTokenHash(r.tokenHash)).not.toBeNull();
    expect(await node.store.findByTokenHash(r.tokenHash)).not.toBeNull();
    expect(node.reads()).toBe(1);
    server.freeze();
    await until(() => !node.tracking.vouches(), 'the heartbeat noticing a silent Redis');
    await expect(node.store.findByTokenHash(r.tokenHash)).rejects.toThrow(/timed out/i);
    server.thaw();
    await until(() => node.tracking.vouches(), 'vouching again after the thaw');
    expect(await node.store.findByTokenHash(r.tokenHash)).toMatchObject({ id: r.id });
  });

  it('forgets everything when Redis is flushed', async () => {
    const r = record(clock);
    await node.store.create(r);
    expect(await node.store.findByTokenHash(r.tokenHash)).not.toBeNull();
    await redis.flushall();
    await until(async () => (await node.store.findByTokenHash(r.tokenHash)) === null, 'the flush reaching the cache');
  });
});
