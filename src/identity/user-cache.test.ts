import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../core/index.js';
import { createUserChangeFeed, type UserChangeFeed } from '../storage/index.js';
import { createTestDatabase } from '../../test/support/services.js';
import { createUserCache, type UserCacheOptions } from './user-cache.js';
import { createUserRepository, publicUser } from './users.js';

// The cache's own rules on a real SQLite file: its bound, its upper age, and that a read overtaken by
// an invalidation is answered but never kept. Cross-node and cross-process invalidation is proven with
// real nodes in test/security/cached-user-is-never-stale.test.ts.
describe('per-node user cache', () => {
  const clock = createManualClock();
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let feed: UserChangeFeed;
  let users: ReturnType<typeof createUserRepository>;
  const ids = ['u1', 'u2', 'u3'];
  let gate: Promise<void> | null = null;
  let onRead: (() => void) | null = null;
  /** The store read; a test may hold its answer back (`gate`) after the row was read. */
  const load = async (id: string) => {
    const user = await users.byId(id);
    onRead?.();
    await gate;
    return user ? publicUser(user) : null;
  };
  const cache = (options: Partial<UserCacheOptions> = {}) => createUserCache(load, { size: 10, maxAgeMs: 30_000, clock, feed, ...options });

  beforeAll(async () => {
    handle = await createTestDatabase('sqlite');
    users = createUserRepository(handle.db);
    feed = createUserChangeFeed(handle);
    for (const id of ids) {
      await users.insert({ id, email: `${id}@example.test`, name: null, roles: ['user'], credentialVersion: 1, createdAt: 0, updatedAt: 0, emailVerifiedAt: null, emailVerifiedVia: null, disabledAt: null, passwordHash: 'x' });
    }
  });
  afterAll(async () => {
    await handle?.dispose();
  });
  afterEach(() => {
    gate = null;
    onRead = null;
  });

  it('keeps at most `size` users, the least recently used leaving first', async () => {
    const c = cache({ size: 2 });
    await c.get('u1');
    await c.get('u2');
    await c.get('u1');
    await c.get('u3');
    expect(c.status()).toMatchObject({ entries: 2, hits: 1, misses: 3 });
    await c.get('u1');
    expect(c.status().hits).toBe(2);
    await c.get('u2');
    expect(c.status().misses).toBe(4);
  });

  it('serves nothing older than maxAge, whatever the feed says', async () => {
    const c = cache({ maxAgeMs: 1_000 });
    await c.get('u1');
    clock.advance(999);
    await c.get('u1');
    expect(c.status()).toMatchObject({ hits: 1, misses: 1 });
    clock.advance(1);
    await c.get('u1');
    expect(c.status()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('answers a read that an invalidation overtook, but does not keep it', async () => {
    const c = cache();
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    // Read before the write, answered after it: the request it belongs to started first, but the row
    // must not outlive the write in memory.
    const read = new Promise<void>((resolve) => (onRead = resolve));
    const inFlight = c.get('u1');
    await read;
    await c.writing('u1', () => users.bumpVersion('u1', 1));
    open();
    expect((await inFlight)?.credentialVersion).toBe(1);
    gate = null;
    expect((await c.get('u1'))?.credentialVersion).toBe(2);
    expect(c.status()).toMatchObject({ hits: 0, misses: 2, entries: 1 });
    expect((await c.get('u1'))?.credentialVersion).toBe(2);
    expect(c.status().hits).toBe(1);
  });

  it('size 0 turns it off: every read goes to the store', async () => {
    const c = cache({ size: 0 });
    await c.get('u1');
    await c.get('u1');
    expect(c.status()).toMatchObject({ enabled: false, hits: 0, entries: 0 });
  });

  it('the users are frozen: a caller cannot change what the next request is served', async () => {
    const c = cache();
    await c.get('u2');
    const user = (await c.get('u2'))!;
    expect(() => user.roles.push('admin')).toThrow(TypeError);
    expect((await c.get('u2'))!.roles).toEqual(['user']);
  });
});
