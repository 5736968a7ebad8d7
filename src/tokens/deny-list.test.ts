import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, type ManualClock } from '../core/index.js';
import {
  createRedisKeyTracking,
  createRedisKeyValueStore,
  createSqlKeyValueStore,
  createUserChangeFeed,
  redisKeyValueChanges,
  type DatabaseHandle,
  type KeyValueStore,
  type RedisKeyTracking,
} from '../storage/index.js';
import { until as waitUntil } from '../../test/support/wait.js';
import { createCachedDenyList, createDenyList, type DenyList } from './deny-list.js';
import { createSqliteTwins, createTestDatabase, createTestRedis } from '../../test/support/services.js';
import { createTokenService, type TokenService, type TokenServiceDeps } from './token-service.js';

const SECRET = 'an-instance-secret-that-is-long-enough-0123456789';

type Stores = {
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  kv: (clock: ManualClock) => KeyValueStore;
  changes?: NonNullable<TokenServiceDeps['denyListChanges']>;
  /** Each node's own store and change feed, where a node has its own (Redis tracking); else kv and changes. */
  node?: (clock: ManualClock) => Promise<{ kv: KeyValueStore; changes: NonNullable<TokenServiceDeps['denyListChanges']> | null }>;
  dispose(): Promise<void>;
};

const setups: Record<string, () => Promise<Stores>> = {
  sqlite: async () => {
    const db = await createTestDatabase('sqlite');
    return { db, kv: (clock) => createSqlKeyValueStore(db.db, clock), dispose: db.dispose };
  },
  // As a serve node runs on SQLite: "not denied" remembered per node, over the connection's change feed.
  'sqlite, cached': async () => {
    const db = await createTestDatabase('sqlite');
    return { db, kv: (clock) => createSqlKeyValueStore(db.db, clock), changes: createUserChangeFeed(db), dispose: db.dispose };
  },
  postgres: async () => {
    const db = await createTestDatabase('postgres');
    return { db, kv: (clock) => createSqlKeyValueStore(db.db, clock), dispose: db.dispose };
  },
  'postgres + redis': async () => {
    const db = await createTestDatabase('postgres');
    const redis = await createTestRedis();
    return {
      db,
      kv: (clock) => createRedisKeyValueStore(redis.redis, clock, { prefix: redis.prefix }),
      dispose: async () => {
        await redis.dispose();
        await db.dispose();
      },
    };
  },
  // As a serve node with REDIS_URL runs: each node reads the deny-list through its own tracked
  // connection and remembers "not denied" until Redis says the entry changed.
  'postgres + redis, cached': async () => {
    const db = await createTestDatabase('postgres');
    const redis = await createTestRedis();
    const trackings: RedisKeyTracking[] = [];
    return {
      db,
      kv: (clock) => createRedisKeyValueStore(redis.redis, clock, { prefix: redis.prefix }),
      async node(clock) {
        const tracking = createRedisKeyTracking(redis.redis, { name: `gatehouse-test-deny-${trackings.length}` });
        trackings.push(tracking);
        await waitUntil(() => tracking.vouches(), 'Redis tracking armed');
        return { kv: createRedisKeyValueStore(tracking.reader, clock, { prefix: redis.prefix }), changes: redisKeyValueChanges(tracking, redis.prefix) };
      },
      dispose: async () => {
        for (const tracking of trackings) await tracking.close();
        await redis.dispose();
        await db.dispose();
      },
    };
  },
};

describe.each(Object.keys(setups))('revocation across nodes: %s', (name) => {
  const clock = createManualClock();
  const { config } = loadConfig();
  let stores: Stores;
  let nodeA: TokenService;
  let nodeB: TokenService;
  beforeAll(async () => {
    stores = await setups[name]!();
    // Two nodes: separate services and separate store clients over the same database / Redis.
    const own = async () => (stores.node ? stores.node(clock) : { kv: stores.kv(clock), changes: stores.changes ?? null });
    const [a, b] = [await own(), await own()];
    nodeA = await createTokenService({ db: stores.db.db, kv: a.kv, secret: SECRET, clock, ids: cryptoIds, config, denyListChanges: a.changes });
    nodeB = await createTokenService({ db: stores.db.db, kv: b.kv, secret: SECRET, clock, ids: cryptoIds, config, denyListChanges: b.changes });
  });
  afterAll(async () => {
    nodeA.close();
    nodeB.close();
    await stores.dispose();
  });

  it('a token issued on one node verifies on the other', async () => {
    const pair = await nodeA.signIn({ userId: 'u1', ip: null, userAgent: null });
    await expect(nodeB.accessTokens.verify(pair.accessToken)).resolves.toMatchObject({ sub: 'u1', sid: pair.familyId });
  });

  it('logout on one node refuses the access token on the other at once', async () => {
    const pair = await nodeA.signIn({ userId: 'u1', ip: null, userAgent: null });
    await nodeB.accessTokens.verify(pair.accessToken);
    expect(await nodeA.signOut(pair.refreshToken)).toEqual({ familyId: pair.familyId, userId: 'u1' });
    await expect(nodeB.accessTokens.verify(pair.accessToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REVOKED' });
    await expect(nodeB.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_INVALID' });
  });

  it('log out everywhere denies every family of the user, and only those', async () => {
    const one = await nodeA.signIn({ userId: 'u2', ip: null, userAgent: null });
    const two = await nodeB.signIn({ userId: 'u2', ip: null, userAgent: null });
    const bystander = await nodeA.signIn({ userId: 'u3', ip: null, userAgent: null });
    expect((await nodeA.revokeUser('u2', 'password-change')).sort()).toEqual([one.familyId, two.familyId].sort());
    await expect(nodeB.accessTokens.verify(one.accessToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REVOKED' });
    await expect(nodeA.accessTokens.verify(two.accessToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REVOKED' });
    await expect(nodeB.accessTokens.verify(bystander.accessToken)).resolves.toMatchObject({ sub: 'u3' });
  });

  it('refresh-token reuse denies the family’s live access tokens too', async () => {
    const pair = await nodeA.signIn({ userId: 'u4', ip: null, userAgent: null });
    const next = await nodeB.refresh(pair.refreshToken);
    clock.advance(11_000);
    await expect(nodeA.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_REUSED' });
    await expect(nodeB.accessTokens.verify(next.accessToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REVOKED' });
  });

  it('keeps a deny entry until the last token of the family expired, then lets it go', async () => {
    const pair = await nodeA.signIn({ userId: 'u5', ip: null, userAgent: null });
    await nodeA.revokeFamilies([pair.familyId]);
    clock.advance((600 + 30) * 1000 - 1);
    expect(await nodeB.denyList.isDenied(pair.familyId)).toBe(true);
    clock.advance(1);
    expect(await nodeB.denyList.isDenied(pair.familyId)).toBe(false);
    // By then the access token is dead on its own.
    await expect(nodeB.accessTokens.verify(pair.accessToken)).rejects.toMatchObject({ code: 'GH_TOKEN_EXPIRED' });
  });

  it('caps an access token at its family’s absolute lifetime', async () => {
    const { config: short } = loadConfig({ tokens: { refreshIdleSec: 700, refreshAbsoluteSec: 900 } });
    const svc = await createTokenService({ db: stores.db.db, kv: stores.kv(clock), secret: SECRET, clock, ids: cryptoIds, config: short });
    const pair = await svc.signIn({ userId: 'u6', ip: null, userAgent: null });
    clock.advance(600_000);
    const refreshed = await svc.refresh(pair.refreshToken);
    expect(refreshed.expiresIn).toBe(300);
    svc.close();
  });
});

describe('the deny-list cache (SQLite)', () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  let node: DatabaseHandle;
  let other: DatabaseHandle;
  let dispose: () => Promise<void>;
  let clock: ManualClock;
  let cached: DenyList;
  let reads: number;
  const until = () => clock.now() + 60_000;

  beforeEach(async () => {
    ({ node, other, dispose } = await createSqliteTwins());
    clock = createManualClock();
    const inner = createDenyList(createSqlKeyValueStore(node.db, clock), clock);
    reads = 0;
    const counted: DenyList = { deny: inner.deny, isDenied: (sid) => ((reads += 1), inner.isDenied(sid)) };
    const feed = createUserChangeFeed(node);
    cached = createCachedDenyList(counted, { size: 100, maxAgeMs: 30_000, clock, feed, keyChanges: feed.keys! });
  });
  afterEach(() => dispose());

  it('remembers "not denied" and reads a denial every time', async () => {
    expect(await cached.isDenied('fam-1')).toBe(false);
    expect(await cached.isDenied('fam-1')).toBe(false);
    expect(reads).toBe(1);
    await cached.deny('fam-2', until());
    expect(await cached.isDenied('fam-2')).toBe(true);
    expect(await cached.isDenied('fam-2')).toBe(true);
    expect(reads).toBe(3);
    clock.advance(30_000);
    expect(await cached.isDenied('fam-1')).toBe(false);
    expect(reads).toBe(4);
  });

  it('sees a deny at once: through it, or written by other code on the same connection', async () => {
    expect(await cached.isDenied('fam-3')).toBe(false);
    await cached.deny('fam-3', until());
    expect(await cached.isDenied('fam-3')).toBe(true);
    expect(await cached.isDenied('fam-4')).toBe(false);
    await createDenyList(createSqlKeyValueStore(node.db, clock), clock).deny('fam-4', until());
    expect(await cached.isDenied('fam-4')).toBe(true);
  });

  it("sees another connection's deny from the next turn of the event loop", async () => {
    expect(await cached.isDenied('fam-5')).toBe(false);
    await nextTurn();
    await createDenyList(createSqlKeyValueStore(other.db, clock), clock).deny('fam-5', until());
    await nextTurn();
    expect(await cached.isDenied('fam-5')).toBe(true);
  });
});

describe('the deny-list cache (Redis tracking)', () => {
  let redis: Awaited<ReturnType<typeof createTestRedis>>;
  let clock: ManualClock;
  const trackings: RedisKeyTracking[] = [];
  let reads: number;
  const until = () => clock.now() + 60_000;

  /** One node's deny-list as a serve node with REDIS_URL builds it, its store reads counted. */
  const nodeList = async (name: string): Promise<DenyList> => {
    const tracking = createRedisKeyTracking(redis.redis, { name });
    trackings.push(tracking);
    await waitUntil(() => tracking.vouches(), 'Redis tracking armed');
    const inner = createDenyList(createRedisKeyValueStore(tracking.reader, clock, { prefix: redis.prefix }), clock);
    const counted: DenyList = { deny: inner.deny, isDenied: (sid) => ((reads += 1), inner.isDenied(sid)) };
    const changes = redisKeyValueChanges(tracking, redis.prefix);
    return createCachedDenyList(counted, { size: 100, maxAgeMs: 30_000, clock, feed: changes, keyChanges: changes.keys });
  };

  beforeEach(async () => {
    redis = await createTestRedis();
    clock = createManualClock();
    reads = 0;
  });
  afterEach(async () => {
    for (const tracking of trackings.splice(0)) await tracking.close();
    await redis.dispose();
  });

  it('remembers "not denied", and refuses on the very next read after another node denied', async () => {
    const [node, other] = [await nodeList('gatehouse-test-deny-node'), await nodeList('gatehouse-test-deny-other')];
    // Both nodes on one event loop: the deny's answer and Redis's invalidation arrive together, and the
    // read starts the moment the deny returns.
    for (let i = 0; i < 20; i += 1) {
      const sid = `fam-${i}`;
      expect(await node.isDenied(sid)).toBe(false);
      expect(await node.isDenied(sid)).toBe(false);
      await other.deny(sid, until());
      expect(await node.isDenied(sid)).toBe(true);
    }
    // The second "not denied" of each family came from memory.
    expect(reads).toBe(20 * 2);
  });

  it('reads Redis again once its tracking connection is lost', async () => {
    const node = await nodeList('gatehouse-test-deny-lost');
    expect(await node.isDenied('fam-x')).toBe(false);
    const line = ((await redis.redis.client('LIST')) as string).split('\n').find((l) => l.includes(' name=gatehouse-test-deny-lost-invalidations '));
    await redis.redis.client('KILL', 'ID', /\bid=(\d+)/.exec(line ?? '')![1]!);
    await waitUntil(() => !trackings[0]!.vouches(), 'the lost connection noticed');
    // Denied while nothing could tell this node: it must not answer from memory.
    await createDenyList(createRedisKeyValueStore(redis.redis, clock, { prefix: redis.prefix }), clock).deny('fam-x', until());
    expect(await node.isDenied('fam-x')).toBe(true);
  });
});
