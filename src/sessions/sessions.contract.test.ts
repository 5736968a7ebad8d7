import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, sha256, type ManualClock } from '../core/index.js';
import { createTestDatabase, createTestRedis } from '../../test/support/services.js';
import { createRedisKeyTracking, createUserChangeFeed } from '../storage/index.js';
import { until } from '../../test/support/wait.js';
import { createCachedSessionStore, redisSessionChanges, createMemorySessionStore, createRedisSessionStore, createSessionManager, createSqlSessionStore, type SessionManager, type SessionRecord, type SessionStore } from './index.js';

type Factory = (clock: ManualClock) => Promise<{ store: SessionStore; dispose(): Promise<void>; raw(): Promise<string> }>;

// raw() dumps everything the backend holds, to prove no cookie token is ever stored.
const redisDump = async (r: Awaited<ReturnType<typeof createTestRedis>>): Promise<string> => {
  const keys = await r.redis.keys(`${r.prefix}*`);
  const dump: unknown[] = [keys];
  for (const key of keys) dump.push(await r.redis.hgetall(key));
  return JSON.stringify(dump);
};
const factories: Record<string, Factory> = {
  memory: async (clock) => {
    const store = createMemorySessionStore(clock);
    return { store, dispose: async () => {}, raw: async () => '' };
  },
  sqlite: async (clock) => {
    const db = await createTestDatabase('sqlite');
    return { store: createSqlSessionStore(db.db, clock), dispose: db.dispose, raw: async () => JSON.stringify(await db.db.selectFrom('sessions').selectAll().execute()) };
  },
  // The SQL store behind the per-node session cache (SQLite, as a serve node builds it): the contract
  // must hold from memory too.
  'sqlite, cached': async (clock) => {
    const db = await createTestDatabase('sqlite');
    const feed = createUserChangeFeed(db);
    const store = createCachedSessionStore(createSqlSessionStore(db.db, clock), { size: 100, maxAgeMs: 30_000, clock, feed, sessionChanges: feed.sessions! });
    return { store, dispose: db.dispose, raw: async () => JSON.stringify(await db.db.selectFrom('sessions').selectAll().execute()) };
  },
  postgres: async (clock) => {
    const db = await createTestDatabase('postgres');
    return { store: createSqlSessionStore(db.db, clock), dispose: db.dispose, raw: async () => JSON.stringify(await db.db.selectFrom('sessions').selectAll().execute()) };
  },
  redis: async (clock) => {
    const r = await createTestRedis();
    return {
      store: createRedisSessionStore(r.redis, clock, { prefix: r.prefix }),
      dispose: r.dispose,
      raw: () => redisDump(r),
    };
  },
  // The Redis store behind the per-node session cache that Redis tracking keeps honest (a serve node
  // with REDIS_URL builds it so): the contract must hold from memory too.
  'redis, cached': async (clock) => {
    const r = await createTestRedis();
    const tracking = createRedisKeyTracking(r.redis, { name: 'gatehouse-test-contract' });
    await until(() => tracking.vouches(), 'Redis tracking armed');
    const inner = createRedisSessionStore(r.redis, clock, { prefix: r.prefix, reader: tracking.reader });
    return {
      store: createCachedSessionStore(inner, { size: 100, maxAgeMs: 30_000, clock, ...redisSessionChanges(tracking, r.prefix) }),
      async dispose() {
        await tracking.close();
        await r.dispose();
      },
      raw: () => redisDump(r),
    };
  },
};

const MIN = 60_000;
const { config } = loadConfig({ sessions: { idleTimeoutSec: 1800, absoluteLifetimeSec: 7200 } });

describe.each(Object.keys(factories))('SessionStore contract: %s', (name) => {
  const clock = createManualClock();
  let store: SessionStore;
  let dispose: () => Promise<void>;
  let raw: () => Promise<string>;
  let n = 0;
  const record = (userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord => {
    const now = clock.now();
    n++;
    return {
      tokenHash: sha256(`token-${name}-${n}`),
      id: cryptoIds.uuid(),
      userId,
      createdAt: now + n, // distinct, increasing: newest-first order is checkable
      lastSeenAt: now,
      idleExpiresAt: now + 30 * MIN,
      absoluteExpiresAt: now + 120 * MIN,
      ip: '192.0.2.1',
      userAgent: 'Vitest/1',
      ...overrides,
    };
  };
  beforeAll(async () => {
    ({ store, dispose, raw } = await factories[name]!(clock));
  });
  afterAll(() => dispose());

  it('creates and finds by token hash, every field intact (nulls too)', async () => {
    const a = record('u-find');
    const b = record('u-find', { ip: null, userAgent: null });
    await store.create(a);
    await store.create(b);
    expect(await store.findByTokenHash(a.tokenHash)).toEqual(a);
    expect(await store.findByTokenHash(b.tokenHash)).toEqual(b);
    expect(await store.findByTokenHash(sha256('unknown'))).toBeNull();
  });

  it('expires at the idle deadline by the injected clock, and touch slides it', async () => {
    const r = record('u-idle');
    await store.create(r);
    clock.advance(20 * MIN);
    expect(await store.touch(r.tokenHash, clock.now(), clock.now() + 30 * MIN)).toBe(true);
    clock.advance(20 * MIN); // 40 min after create, 20 after the touch
    expect(await store.findByTokenHash(r.tokenHash)).toMatchObject({ lastSeenAt: r.lastSeenAt + 20 * MIN, idleExpiresAt: r.lastSeenAt + 50 * MIN });
    clock.advance(10 * MIN);
    expect(await store.findByTokenHash(r.tokenHash)).toBeNull();
    // An expired session cannot be touched back to life.
    expect(await store.touch(r.tokenHash, clock.now(), clock.now() + 30 * MIN)).toBe(false);
    expect(await store.findByTokenHash(r.tokenHash)).toBeNull();
  });

  it('expires at the absolute deadline however recently it was used', async () => {
    const r = record('u-abs', { absoluteExpiresAt: clock.now() + 45 * MIN });
    await store.create(r);
    clock.advance(25 * MIN);
    expect(await store.touch(r.tokenHash, clock.now(), clock.now() + 30 * MIN)).toBe(true);
    clock.advance(20 * MIN);
    expect(await store.findByTokenHash(r.tokenHash)).toBeNull();
    expect(await store.listByUser('u-abs')).toEqual([]);
  });

  it('deletes by token hash once; a deleted session cannot be touched', async () => {
    const r = record('u-del');
    await store.create(r);
    expect(await store.deleteByTokenHash(r.tokenHash)).toEqual(r);
    expect(await store.deleteByTokenHash(r.tokenHash)).toBeNull();
    expect(await store.touch(r.tokenHash, clock.now(), clock.now() + MIN)).toBe(false);
    expect(await store.findByTokenHash(r.tokenHash)).toBeNull();
    expect(await store.listByUser('u-del')).toEqual([]);
  });

  it('deletes by public id only for the owner', async () => {
    const mine = record('u-owner');
    await store.create(mine);
    expect(await store.deleteById('u-intruder', mine.id)).toBeNull();
    expect(await store.findByTokenHash(mine.tokenHash)).toEqual(mine);
    expect(await store.deleteById('u-owner', mine.id)).toEqual(mine);
    expect(await store.findByTokenHash(mine.tokenHash)).toBeNull();
    expect(await store.deleteById('u-owner', mine.id)).toBeNull();
  });

  it('lists a user’s live sessions newest first, and no one else’s', async () => {
    const first = record('u-list');
    const second = record('u-list');
    const third = record('u-list', { idleExpiresAt: clock.now() + MIN });
    await store.create(first);
    await store.create(second);
    await store.create(third);
    await store.create(record('u-someone-else'));
    expect((await store.listByUser('u-list')).map((s) => s.id)).toEqual([third.id, second.id, first.id]);
    clock.advance(MIN);
    expect((await store.listByUser('u-list')).map((s) => s.id)).toEqual([second.id, first.id]);
    expect(await store.listByUser('u-nobody')).toEqual([]);
  });

  it('deletes all of a user’s sessions, optionally keeping one', async () => {
    const keep = record('u-all');
    const a = record('u-all');
    const b = record('u-all');
    const bystander = record('u-bystander');
    for (const r of [keep, a, b, bystander]) await store.create(r);
    expect((await store.deleteByUser('u-all', keep.id)).map((s) => s.id)).toEqual([b.id, a.id]);
    expect((await store.listByUser('u-all')).map((s) => s.id)).toEqual([keep.id]);
    expect(await store.findByTokenHash(a.tokenHash)).toBeNull();
    expect((await store.deleteByUser('u-all')).map((s) => s.id)).toEqual([keep.id]);
    expect(await store.listByUser('u-all')).toEqual([]);
    expect(await store.findByTokenHash(bystander.tokenHash)).toEqual(bystander);
  });

  it('sweeps expired records without touching live ones', async () => {
    const old = record('u-sweep', { idleExpiresAt: clock.now() + MIN });
    const fresh = record('u-sweep');
    await store.create(old);
    await store.create(fresh);
    clock.advance(2 * MIN);
    const swept = await store.sweep(1000);
    expect(swept).toBeGreaterThanOrEqual(name.startsWith('redis') ? 0 : 1);
    expect(await store.findByTokenHash(fresh.tokenHash)).toEqual(fresh);
    expect(await store.findByTokenHash(old.tokenHash)).toBeNull();
  });

  describe('through the SessionManager', () => {
    let sessions: SessionManager;
    beforeAll(() => {
      sessions = createSessionManager({ store, clock, ids: cryptoIds, config });
    });

    it('issues a fresh 256-bit base64url token at every create (no fixation), storing only its hash', async () => {
      const one = await sessions.create({ userId: 'm-user', ip: '198.51.100.1', userAgent: 'UA' });
      const two = await sessions.create({ userId: 'm-user', ip: '198.51.100.1', userAgent: 'UA' });
      expect(one.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(one.token, 'base64url')).toHaveLength(32);
      expect(two.token).not.toBe(one.token);
      expect(two.session.id).not.toBe(one.session.id);
      expect(JSON.stringify(one.session)).not.toContain(one.token);
      const dump = await raw();
      expect(dump).not.toContain(one.token);
      expect(dump).not.toContain(two.token);
      if (name !== 'memory') expect(dump).toContain(sha256(one.token));
      expect(await sessions.resolve(one.token)).toMatchObject({ id: one.session.id, userId: 'm-user', ip: '198.51.100.1', userAgent: 'UA' });
    });

    it('slides the idle timeout on use, writing at most once a minute, and ends at the absolute lifetime', async () => {
      const { token, session } = await sessions.create({ userId: 'm-slide', ip: null, userAgent: null });
      expect(session.idleExpiresAt - session.createdAt).toBe(30 * MIN);
      expect(session.absoluteExpiresAt - session.createdAt).toBe(120 * MIN);
      clock.advance(30_000);
      // Within the touch interval nothing is written: the stored expiry stays.
      expect((await sessions.resolve(token))!.idleExpiresAt).toBe(session.idleExpiresAt);
      clock.advance(29 * MIN);
      const slid = (await sessions.resolve(token))!;
      expect(slid.lastSeenAt).toBe(clock.now());
      expect(slid.idleExpiresAt).toBe(clock.now() + 30 * MIN);
      // Keep using it every 25 minutes: it lives until the absolute lifetime, not a moment longer.
      while (clock.now() + 25 * MIN < session.absoluteExpiresAt) {
        clock.advance(25 * MIN);
        const s = await sessions.resolve(token);
        expect(s).not.toBeNull();
        expect(s!.idleExpiresAt).toBeLessThanOrEqual(session.absoluteExpiresAt);
      }
      clock.set(session.absoluteExpiresAt);
      expect(await sessions.resolve(token)).toBeNull();
    });

    it('ends an idle session', async () => {
      const { token } = await sessions.create({ userId: 'm-idle', ip: null, userAgent: null });
      clock.advance(30 * MIN - 1);
      expect(await sessions.resolve(token)).not.toBeNull();
      // That resolve wrote a touch; 30 quiet minutes later it is gone.
      clock.advance(30 * MIN);
      expect(await sessions.resolve(token)).toBeNull();
    });

    it('answers null for garbage, unknown and destroyed tokens', async () => {
      for (const bad of ['', 'short', 'x'.repeat(5000), '../../etc/passwd', cryptoIds.token(32)]) expect(await sessions.resolve(bad)).toBeNull();
      const { token, session } = await sessions.create({ userId: 'm-destroy', ip: null, userAgent: null });
      expect(await sessions.destroy(token)).toMatchObject({ id: session.id });
      expect(await sessions.resolve(token)).toBeNull();
      expect(await sessions.destroy(token)).toBeNull();
      expect(await sessions.destroy('not a token')).toBeNull();
    });

    it('lists, revokes one (only the owner’s), revokes the others, revokes all', async () => {
      const a = await sessions.create({ userId: 'm-list', ip: '192.0.2.10', userAgent: 'A' });
      clock.advance(1000);
      const b = await sessions.create({ userId: 'm-list', ip: '192.0.2.11', userAgent: 'B' });
      clock.advance(1000);
      const c = await sessions.create({ userId: 'm-list', ip: '192.0.2.12', userAgent: 'C' });
      const listed = await sessions.list('m-list');
      expect(listed.map((s) => s.id)).toEqual([c.session.id, b.session.id, a.session.id]);
      expect(listed[0]).not.toHaveProperty('tokenHash');
      expect(await sessions.revoke('m-other', a.session.id)).toBeNull();
      expect(await sessions.resolve(a.token)).not.toBeNull();
      expect(await sessions.revoke('m-list', a.session.id)).toMatchObject({ id: a.session.id });
      expect(await sessions.resolve(a.token)).toBeNull();
      const d = await sessions.create({ userId: 'm-list', ip: null, userAgent: null });
      const ended = await sessions.revokeOthers('m-list', c.session.id);
      expect(ended.map((s) => s.id).sort()).toEqual([b.session.id, d.session.id].sort());
      expect(await sessions.resolve(b.token)).toBeNull();
      expect(await sessions.resolve(c.token)).not.toBeNull();
      expect((await sessions.revokeAll('m-list')).map((s) => s.id)).toEqual([c.session.id]);
      expect(await sessions.resolve(c.token)).toBeNull();
      expect(await sessions.list('m-list')).toEqual([]);
    });

    it('sweeps through the manager without ending live sessions', async () => {
      const { token } = await sessions.create({ userId: 'm-sweep', ip: null, userAgent: null });
      expect(await sessions.sweep(1000)).toBeGreaterThanOrEqual(0);
      expect(await sessions.resolve(token)).not.toBeNull();
    });
  });
});
