import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../core/index.js';
import { prepareQuery, type QueryParam } from '../prepared.js';
import type { Database } from '../schema/index.js';
import type { KeyValueStore } from './contract.js';
import { deleteBatch } from '../housekeeping.js';

/** The kv_entries table on SQLite or PostgreSQL; upserts keep each operation one atomic statement. */
export function createSqlKeyValueStore(db: Kysely<Database>, clock: Clock): KeyValueStore {
  const expiry = (ttlMs?: number): number | null => (ttlMs === undefined ? null : clock.now() + ttlMs);
  const notExpired = (now: number) => sql<boolean>`(expires_at is null or expires_at > ${now})`;
  // Read on every bearer request (the deny-list): compiled and prepared once.
  const selectLive = prepareQuery(db, (p: QueryParam<{ key: string; now: number }>) =>
    db
      .selectFrom('kv_entries')
      .select('value')
      .where('key', '=', p('key'))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', p('now'))])),
  );
  return {
    async get(key) {
      const row = await selectLive.first({ key, now: clock.now() });
      return row?.value ?? null;
    },
    async set(key, value, ttlMs) {
      const expires_at = expiry(ttlMs);
      await db
        .insertInto('kv_entries')
        .values({ key, value, expires_at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, expires_at }))
        .execute();
    },
    async setIfAbsent(key, value, ttlMs) {
      const now = clock.now();
      const expires_at = expiry(ttlMs);
      const result = await db
        .insertInto('kv_entries')
        .values({ key, value, expires_at })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ value, expires_at })
            .where(sql<boolean>`kv_entries.expires_at is not null and kv_entries.expires_at <= ${now}`),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async delete(key) {
      await db.deleteFrom('kv_entries').where('key', '=', key).execute();
    },
    async increment(key, ttlMs, by = 1) {
      const now = clock.now();
      const step = Math.trunc(by);
      const fresh = now + ttlMs;
      const expired = sql`kv_entries.expires_at is not null and kv_entries.expires_at <= ${now}`;
      const row = await db
        .insertInto('kv_entries')
        .values({ key, value: String(step), expires_at: fresh })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            value: sql`case when ${expired} then ${String(step)} else cast(cast(kv_entries.value as integer) + ${step} as text) end`,
            expires_at: sql`case when ${expired} then ${fresh} else kv_entries.expires_at end`,
          }),
        )
        .returning('value')
        .executeTakeFirstOrThrow();
      return Number.parseInt(row.value, 10);
    },
    async expiresAt(key) {
      const row = await db.selectFrom('kv_entries').select('expires_at').where('key', '=', key).where(notExpired(clock.now())).executeTakeFirst();
      return row?.expires_at ?? null;
    },
  };
}

/** Deletes at most `limit` expired rows (space only: reads already skip them); run by housekeeping. */
export function sweepSqlKeyValueStore(db: Kysely<Database>, clock: Clock, limit: number): Promise<number> {
  return deleteBatch(db, { table: 'kv_entries', key: ['key'], dead: sql<boolean>`expires_at <= ${clock.now()}`, limit });
}
