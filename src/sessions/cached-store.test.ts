// The per-node session cache on SQLite, proven on real database files: what it serves from memory, and
// every way a session can end without a read — through the store, by raw SQL on the node's connection,
// from another connection (another node, the CLI) — and the clock.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, sha256, type ManualClock } from '../core/index.js';
import { createSqliteTwins } from '../../test/support/services.js';
import { createUserChangeFeed, type DatabaseHandle } from '../storage/index.js';
import { createCachedSessionStore } from './cached-store.js';
import { createSqlSessionStore } from './sql-store.js';
import type { SessionRecord, SessionStore } from './types.js';

const MIN = 60_000;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the session cache (SQLite)', () => {
  let node: DatabaseHandle;
  let other: DatabaseHandle;
  let dispose: () => Promise<void>;
  let clock: ManualClock;
  let store: SessionStore;
  let reads: number;
  let n = 0;

  const record = (overrides: Partial<SessionRecord> = {}): SessionRecord => {
    n += 1;
    const now = clock.now();
    return { tokenHash: sha256(`cached-${n}`), id: `s-${n}`, userId: 'u-1', createdAt: now, lastSeenAt: now, idleExpiresAt: now + 30 * MIN, absoluteExpiresAt: now + 120 * MIN, ip: null, userAgent: null, ...overrides };
  };

  beforeEach(async () => {
    ({ node, other, dispose } = await createSqliteTwins());
    clock = createManualClock();
    const inner = createSqlSessionStore(node.db, clock);
    reads = 0;
    const counted: SessionStore = {
      ...inner,
      findByTokenHash: (tokenHash) => {
        reads += 1;
        return inner.findByTokenHash(tokenHash);
      },
    };
    const feed = createUserChangeFeed(node);
    store = createCachedSessionStore(counted, { size: 2, maxAgeMs: 30_000, clock, feed, sessionChanges: feed.sessions! });
  });
  afterEach(() => dispose());

  it('serves a session it has read from memory, least recently used leaving first', async () => {
    const [a, b, c] = [record(), record(), record()];
    for (const r of [a, b, c]) await store.create(r);
    expect(await store.findByTokenHash(a.tokenHash)).toMatchObject({ id: a.id });
    expect(await store.findByTokenHash(a.tokenHash)).toMatchObject({ id: a.id });
    expect(reads).toBe(1);
    await store.findByTokenHash(b.tokenHash);
    await store.findByTokenHash(a.tokenHash);
    await store.findByTokenHash(c.tokenHash); // three for two places: b, the least recently used, leaves
    expect(reads).toBe(3);
    await store.findByTokenHash(a.tokenHash);
    expect(reads).toBe(3);
    await store.findByTokenHash(b.tokenHash);
    expect(reads).toBe(4);
    // Unknown tokens are not remembered.
    expect(await store.findByTokenHash(sha256('nobody'))).toBeNull();
    expect(await store.findByTokenHash(sha256('nobody'))).toBeNull();
    expect(reads).toBe(6);
  });

  it('never serves a session past its idle or absolute expiry, nor an entry older than its bound', async () => {
    const r = record({ idleExpiresAt: clock.now() + 10_000 });
    await store.create(r);
    await store.findByTokenHash(r.tokenHash);
    clock.advance(9_999);
    expect(await store.findByTokenHash(r.tokenHash)).not.toBeNull();
    clock.advance(1);
    expect(await store.findByTokenHash(r.tokenHash)).toBeNull();
    expect(reads).toBe(1);
    const long = record({ idleExpiresAt: clock.now() + 60 * MIN });
    await store.create(long);
    await store.findByTokenHash(long.tokenHash);
    clock.advance(30_000);
    await store.findByTokenHash(long.tokenHash);
    expect(reads).toBe(3);
  });

  it('sees every end through the store at once: delete, revoke by id, log out everywhere, a slid expiry', async () => {
    const [a, b, c, d] = [record(), record(), record({ userId: 'u-2' }), record({ userId: 'u-2' })];
    for (const r of [a, b, c, d]) {
      await store.create(r);
      await store.findByTokenHash(r.tokenHash);
    }
    await store.deleteByTokenHash(a.tokenHash);
    expect(await store.findByTokenHash(a.tokenHash)).toBeNull();
    await store.deleteById('u-1', b.id);
    expect(await store.findByTokenHash(b.tokenHash)).toBeNull();
    await store.deleteByUser('u-2', d.id);
    expect(await store.findByTokenHash(c.tokenHash)).toBeNull();
    expect(await store.findByTokenHash(d.tokenHash)).not.toBeNull();
    clock.advance(5 * MIN);
    await store.touch(d.tokenHash, clock.now(), clock.now() + 30 * MIN);
    expect(await store.findByTokenHash(d.tokenHash)).toMatchObject({ lastSeenAt: clock.now() });
  });

  it("sees raw SQL on the node's own connection at once", async () => {
    const [a, b] = [record(), record()];
    for (const r of [a, b]) {
      await store.create(r);
      await store.findByTokenHash(r.tokenHash);
    }
    await sql`delete from sessions where token_hash = ${a.tokenHash}`.execute(node.db);
    await sql`update sessions set absolute_expires_at = ${clock.now() + 1} where token_hash = ${b.tokenHash}`.execute(node.db);
    expect(await store.findByTokenHash(a.tokenHash)).toBeNull();
    clock.advance(1);
    expect(await store.findByTokenHash(b.tokenHash)).toBeNull();
  });

  it("sees another connection's commit from the next turn of the event loop", async () => {
    const [a, b] = [record(), record()];
    for (const r of [a, b]) {
      await store.create(r);
      await store.findByTokenHash(r.tokenHash);
    }
    await nextTurn();
    await sql`delete from sessions where token_hash = ${a.tokenHash}`.execute(other.db);
    await nextTurn();
    expect(await store.findByTokenHash(a.tokenHash)).toBeNull();
    // Any commit elsewhere empties the cache: b is read again, and is still there.
    expect(await store.findByTokenHash(b.tokenHash)).not.toBeNull();
    expect(reads).toBe(4);
  });
});
