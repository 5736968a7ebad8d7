import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, type Config, type DeepPartial, type ManualClock } from '../core/index.js';
import { createSqlOidcAdapter } from '../oauth/index.js';
import { createHousekeeping } from '../storage/index.js';
import { createTempDir, createTestPostgres } from '../../test/support/services.js';
import { createContext } from './context.js';
import type { AppContext } from './context.js';

const SEC = 1000;
const INTERVAL_SEC = 300;

// Lifetimes well under one housekeeping interval, so rows made at the start are dead by the first run
// and rows made just before it are still alive.
const shortLived: DeepPartial<Config> = {
  sessions: { idleTimeoutSec: 60, absoluteLifetimeSec: 120, store: 'sql' },
  tokens: { accessTtlSec: 30, refreshIdleSec: 60, refreshAbsoluteSec: 120, refreshGraceSec: 5 },
  realtime: { historyRetentionSec: 60 },
  housekeeping: { intervalSec: INTERVAL_SEC, batchSize: 2, maxBatchesPerRun: 1000 },
};

describe.each(['sqlite', 'postgres'] as const)('housekeeping (%s)', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A store both nodes share (SQLite file or a PostgreSQL database), and a node factory on it. */
  async function sharedStore(): Promise<(clock: ManualClock, overrides?: DeepPartial<Config>) => Promise<AppContext>> {
    const dir = await createTempDir();
    cleanups.push(dir.remove);
    const pg = dialect === 'postgres' ? await createTestPostgres() : null;
    if (pg) cleanups.push(pg.drop);
    return async (clock, overrides = {}) => {
      const ctx = await createContext({
        env: { GATEHOUSE_SECRET: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz' },
        clock,
        config: {
          ...shortLived,
          ...overrides,
          server: { dataDir: dir.path },
          storage: pg ? { databaseUrl: pg.url } : {},
        },
      });
      cleanups.push(() => ctx.close());
      return ctx;
    };
  }

  /** One row of every kind, alive now; returns how to count each kind's rows left by the same key. */
  async function fill(ctx: AppContext, tag: string) {
    const { db } = ctx.database;
    const session = await ctx.sessions.create({ userId: `u-${tag}`, ip: null, userAgent: null });
    await ctx.kv.set(`kv-${tag}`, 'v', 60 * SEC);
    const signIn = await ctx.tokens.signIn({ userId: `u-${tag}`, ip: null, userAgent: null });
    await createSqlOidcAdapter(db, ctx.clock, 'AuthorizationCode').upsert(`code-${tag}`, { kind: 'AuthorizationCode' }, 60);
    await db.insertInto('realtime_messages').values({ id: `m-${tag}`, room: 'room:lobby', user_id: `u-${tag}`, user_name: null, text: 'hi', ts: ctx.clock.now() }).execute();
    return async () => ({
      sessions: (await db.selectFrom('sessions').select('id').where('id', '=', session.session.id).execute()).length,
      kv: (await db.selectFrom('kv_entries').select('key').where('key', '=', `kv-${tag}`).execute()).length,
      refreshFamilies: (await db.selectFrom('refresh_families').select('id').where('id', '=', signIn.familyId).execute()).length,
      refreshTokens: (await db.selectFrom('refresh_tokens').select('hash').where('family_id', '=', signIn.familyId).execute()).length,
      oauth: (await db.selectFrom('oauth_models').select('id').where('id', '=', `code-${tag}`).execute()).length,
      history: (await db.selectFrom('realtime_messages').select('id').where('id', '=', `m-${tag}`).execute()).length,
    });
  }

  const every = (n: number) => ({ sessions: n, kv: n, refreshFamilies: n, refreshTokens: n, oauth: n, history: n });

  it('the node sweeps every kind on its schedule: expired rows go, live ones stay', async () => {
    const clock = createManualClock();
    const ctx = await (await sharedStore())(clock);
    // More dead rows than one batch holds, so the run goes round several batches.
    const old = await Promise.all([fill(ctx, 'old-1'), fill(ctx, 'old-2'), fill(ctx, 'old-3')]);
    for (const count of old) expect(await count()).toEqual(every(1));

    clock.advance((INTERVAL_SEC - 10) * SEC);
    const fresh = await fill(ctx, 'fresh');
    clock.advance(10 * SEC); // the scheduled run falls due

    for (const count of old) await expect.poll(count, { timeout: 30_000 }).toEqual(every(0));
    expect(await fresh()).toEqual(every(1));
  });

  it('one node of two holds the lease; the other takes over when it stops or vanishes', async () => {
    const clock = createManualClock();
    const node = await sharedStore();
    // Runs are driven by hand here: an interval longer than the test moves the clock.
    const quiet = { housekeeping: { intervalSec: 86_400 } };
    const a = await node(clock, quiet);
    const b = await node(clock, quiet);

    expect(await a.housekeeping.runOnce()).not.toBeNull();
    expect(await b.housekeeping.runOnce()).toBeNull();
    expect(await a.housekeeping.runOnce()).not.toBeNull(); // the holder renews

    await a.housekeeping.stop(); // hands the lease back
    expect(await b.housekeeping.runOnce()).not.toBeNull();
    expect(await a.housekeeping.runOnce()).toBeNull();

    // A node that vanishes without handing the lease back: the others wait until it runs out.
    await b.housekeeping.stop();
    const gone = createHousekeeping({ db: a.database.db, clock, holder: 'gone', tasks: [], intervalMs: 86_400 * SEC, batchSize: 1, maxBatchesPerRun: 1 });
    expect(await gone.runOnce()).not.toBeNull();
    expect(await a.housekeeping.runOnce()).toBeNull();
    clock.advance((2 * 86_400 + 59) * SEC);
    expect(await a.housekeeping.runOnce()).toBeNull();
    clock.advance(2 * SEC);
    expect(await a.housekeeping.runOnce()).not.toBeNull();
  });

  it('a run deletes at most batchSize × maxBatchesPerRun rows of a kind; the rest waits for the next run', async () => {
    const clock = createManualClock();
    const ctx = await (await sharedStore())(clock, { housekeeping: { intervalSec: 86_400, batchSize: 2, maxBatchesPerRun: 2 } });
    for (let i = 0; i < 5; i++) await ctx.kv.set(`bulk-${i}`, 'v', SEC);
    clock.advance(2 * SEC);
    expect((await ctx.housekeeping.runOnce())?.deleted.kv).toBe(4);
    expect((await ctx.housekeeping.runOnce())?.deleted.kv).toBe(1);
    expect((await ctx.housekeeping.runOnce())?.deleted.kv).toBe(0);
  });
});
