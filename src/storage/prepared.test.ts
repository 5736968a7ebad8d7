import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/services.js';
import { isGatehouseError } from '../core/index.js';
import type { DatabaseHandle } from './database.js';
import { prepareQuery, type QueryParam } from './prepared.js';
import type { Database } from './schema/index.js';
import type { Kysely } from 'kysely';

type Entry = { key: string; value: string; expires_at: number | null };

const queriesFor = (db: Kysely<Database>) => ({
  put: prepareQuery(db, (p: QueryParam<Entry>) =>
    db
      .insertInto('kv_entries')
      .values({ key: p('key'), value: p('value'), expires_at: p('expires_at') })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), expires_at: eb.ref('excluded.expires_at') })))),
  // `'-'` is a constant compiled into the definition; `key` is used twice.
  get: prepareQuery(db, (p: QueryParam<{ key: string }>) =>
    db.selectFrom('kv_entries').select(['value', 'expires_at']).where('key', '=', p('key')).where('value', '!=', '-').where('key', 'is not', null)),
  live: prepareQuery(db, (p: QueryParam<{ prefix: string; now: number }>) =>
    db.selectFrom('kv_entries').select('key').where('key', 'like', p('prefix'))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', p('now'))])).orderBy('key')),
  remove: prepareQuery(db, (p: QueryParam<{ key: string }>) => db.deleteFrom('kv_entries').where('key', '=', p('key'))),
});

describe.each(['sqlite', 'postgres'] as const)('prepareQuery on %s', (dialect) => {
  let handle: DatabaseHandle & { dispose(): Promise<void> };
  let q: ReturnType<typeof queriesFor>;
  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    q = queriesFor(handle.db);
  });
  afterAll(() => handle.dispose());

  it('runs writes and reads with parameters, many times', async () => {
    expect(await q.put.run({ key: 'p:a', value: 'one', expires_at: null })).toBe(1);
    expect(await q.put.run({ key: 'p:b', value: 'two', expires_at: 5_000 })).toBe(1);
    expect(await q.put.run({ key: 'p:a', value: 'uno', expires_at: null })).toBe(1);
    expect(await q.get.first({ key: 'p:a' })).toEqual({ value: 'uno', expires_at: null });
    expect(await q.get.first({ key: 'p:b' })).toEqual({ value: 'two', expires_at: 5_000 });
    expect(await q.get.first({ key: 'p:none' })).toBeUndefined();
    expect(await q.live.all({ prefix: 'p:%', now: 1_000 })).toEqual([{ key: 'p:a' }, { key: 'p:b' }]);
    expect(await q.live.all({ prefix: 'p:%', now: 9_000 })).toEqual([{ key: 'p:a' }]);
    expect(await q.remove.run({ key: 'p:a' })).toBe(1);
    expect(await q.remove.run({ key: 'p:a' })).toBe(0);
    // The row Kysely itself reads is the one the prepared write stored.
    expect(await handle.db.selectFrom('kv_entries').select('value').where('key', '=', 'p:b').executeTakeFirst()).toEqual({ value: 'two' });
  });

  it('runs concurrently without mixing up parameters', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `c:${i}`);
    await Promise.all(keys.map((key) => q.put.run({ key, value: `v-${key}`, expires_at: null })));
    const rows = await Promise.all(keys.map((key) => q.get.first({ key })));
    expect(rows.map((row) => row?.value)).toEqual(keys.map((key) => `v-${key}`));
  });

  it('stays out of a transaction that is open on the database', async () => {
    let outside: Promise<number> | undefined;
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.insertInto('kv_entries').values({ key: 't:inside', value: 'x', expires_at: null }).execute();
        outside = q.put.run({ key: 't:outside', value: 'y', expires_at: null });
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await outside).toBe(1);
    expect(await q.get.first({ key: 't:outside' })).toEqual({ value: 'y', expires_at: null });
    expect(await q.get.first({ key: 't:inside' })).toBeUndefined();
  });

  it("answers a statement's failure as a rejected promise, never a synchronous throw", async () => {
    let answered: Promise<number> | undefined;
    expect(() => {
      answered = q.put.run({ key: 'p:null', value: null as unknown as string, expires_at: null });
    }).not.toThrow();
    await expect(answered).rejects.toThrow();
    expect(await q.get.first({ key: 'p:b' })).toEqual({ value: 'two', expires_at: 5_000 });
  });

  it('defined on a transaction, runs inside it (through Kysely)', async () => {
    await handle.db.transaction().execute(async (trx) => {
      const inTrx = queriesFor(trx);
      await inTrx.put.run({ key: 'tx:a', value: 'seen', expires_at: null });
      expect(await inTrx.get.first({ key: 'tx:a' })).toEqual({ value: 'seen', expires_at: null });
      expect(await inTrx.remove.run({ key: 'tx:a' })).toBe(1);
    });
    expect(await q.get.first({ key: 'tx:a' })).toBeUndefined();
  });

  it('refuses a parameter placed in the SQL text', () => {
    let caught: unknown;
    try {
      prepareQuery(handle.db, (p: QueryParam<{ table: string }>) => handle.db.selectFrom(sql.raw(p('table')).as('t')).selectAll());
    } catch (error) {
      caught = error;
    }
    expect(isGatehouseError(caught) && caught.code).toBe('GH_STORAGE_PREPARED_QUERY');
  });
});
