import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../core/index.js';
import { prepareQuery, type QueryParam } from '../prepared.js';
import type { Database } from '../schema/index.js';
import type { KeyValueStore } from './contract.js';
import { deleteBatch } from '../housekeeping.js';

/**
 * The kv_entries table on SQLite or PostgreSQL; upserts keep each operation one atomic statement. Every
 * operation is prepared once (prepared.ts): the throttle runs several of them on each login and each
 * client-secret check, and building them with Kysely per call cost more CPU than running them.
 */
export function createSqlKeyValueStore(db: Kysely<Database>, clock: Clock): KeyValueStore {
  const q = kvQueries(db);
  const expiry = (ttlMs?: number): number | null => (ttlMs === undefined ? null : clock.now() + ttlMs);
  return {
    async get(key) {
      const row = await q.selectLive.first({ key, now: clock.now() });
      return row?.value ?? null;
    },
    async set(key, value, ttlMs) {
      await q.set.run({ key, value, expires_at: expiry(ttlMs) });
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await q.setIfAbsent.run({ key, value, expires_at: expiry(ttlMs), now: clock.now() })) > 0;
    },
    async delete(key) {
      await q.delete.run({ key });
    },
    async increment(key, ttlMs, by = 1) {
      const now = clock.now();
      const step = Math.trunc(by);
      const row = await q.increment.first({ key, now, step, stepText: String(step), fresh: now + ttlMs });
      return Number.parseInt(row!.value, 10);
    },
    async expiresAt(key) {
      const row = await q.selectExpiry.first({ key, now: clock.now() });
      return row?.expires_at ?? null;
    },
  };
}

type Entry = { key: string; value: string; expires_at: number | null };

function buildKvQueries(db: Kysely<Database>) {
  const live = (now: number) => sql<boolean>`(expires_at is null or expires_at > ${now})`;
  return {
    selectLive: prepareQuery(db, (p: QueryParam<{ key: string; now: number }>) =>
      db.selectFrom('kv_entries').select('value').where('key', '=', p('key')).where(live(p('now')))),
    selectExpiry: prepareQuery(db, (p: QueryParam<{ key: string; now: number }>) =>
      db.selectFrom('kv_entries').select('expires_at').where('key', '=', p('key')).where(live(p('now')))),
    set: prepareQuery(db, (p: QueryParam<Entry>) =>
      db
        .insertInto('kv_entries')
        .values({ key: p('key'), value: p('value'), expires_at: p('expires_at') })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), expires_at: eb.ref('excluded.expires_at') })))),
    // Replaces only an expired entry: a live one wins, so the caller learns it did not set.
    setIfAbsent: prepareQuery(db, (p: QueryParam<Entry & { now: number }>) =>
      db
        .insertInto('kv_entries')
        .values({ key: p('key'), value: p('value'), expires_at: p('expires_at') })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), expires_at: eb.ref('excluded.expires_at') }))
            .where(sql<boolean>`kv_entries.expires_at is not null and kv_entries.expires_at <= ${p('now')}`),
        )),
    delete: prepareQuery(db, (p: QueryParam<{ key: string }>) => db.deleteFrom('kv_entries').where('key', '=', p('key'))),
    // An absent or expired counter starts at the step with a fresh window; a live one keeps its expiry.
    increment: prepareQuery(db, (p: QueryParam<{ key: string; now: number; step: number; stepText: string; fresh: number }>) => {
      const expired = sql`kv_entries.expires_at is not null and kv_entries.expires_at <= ${p('now')}`;
      return db
        .insertInto('kv_entries')
        .values({ key: p('key'), value: p('stepText'), expires_at: p('fresh') })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            // The step arrives as a JS number, which SQLite binds as REAL: cast, or the text becomes '2.0'.
            value: sql`case when ${expired} then ${p('stepText')} else cast(cast(kv_entries.value as integer) + cast(${p('step')} as integer) as text) end`,
            expires_at: sql`case when ${expired} then ${p('fresh')} else kv_entries.expires_at end`,
          }),
        )
        .returning('value');
    }),
  };
}

const prepared = new WeakMap<Kysely<Database>, ReturnType<typeof buildKvQueries>>();

/** One set of statements per database, however many stores are made over it. */
function kvQueries(db: Kysely<Database>): ReturnType<typeof buildKvQueries> {
  let queries = prepared.get(db);
  if (!queries) {
    queries = buildKvQueries(db);
    prepared.set(db, queries);
  }
  return queries;
}

/** Deletes at most `limit` expired rows (space only: reads already skip them); run by housekeeping. */
export function sweepSqlKeyValueStore(db: Kysely<Database>, clock: Clock, limit: number): Promise<number> {
  return deleteBatch(db, { table: 'kv_entries', key: ['key'], dead: sql<boolean>`expires_at <= ${clock.now()}`, limit });
}
