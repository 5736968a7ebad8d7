import { sql, type Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../core/index.js';
import { createVouchedCache, deleteBatch, type Database, type UserChangeFeed, type VouchedCache } from '../../storage/index.js';
import { indexFields } from './models.js';
import { oauthModelQueries, type ModelRow } from './sql-queries.js';

/**
 * One oidc-provider model over the oauth_models table (SQLite or PostgreSQL). Expiry follows the
 * injected clock: an expired row reads as absent and is swept later. `consumed` is a column, so
 * consuming a code is one UPDATE instead of a read-modify-write of the payload. Every call runs one
 * prepared query (sql-queries.ts), never a freshly built one.
 */
export function createSqlOidcAdapter(db: Kysely<Database>, clock: Clock, model: string, options: { clientCache?: ClientCacheOptions | undefined } = {}): Adapter {
  const queries = oauthModelQueries(db);
  const findRow = (id: string) => queries.findById.first({ model, id, now: clock.now() });
  const clients = model === 'Client' && options.clientCache ? clientRowCache(options.clientCache, clock) : null;
  const toPayload = (row: ModelRow | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Number(row.consumed_at);
    return payload;
  };
  const upsertRow = async (id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> => {
    const { grantId, accountId, uid, userCode } = indexFields(model, payload);
    await queries.upsert.run({
      model,
      id,
      payload: JSON.stringify(payload),
      grant_id: grantId,
      account_id: accountId,
      uid,
      user_code: userCode,
      expires_at: typeof expiresIn === 'number' ? clock.now() + expiresIn * 1000 : null,
      consumed_at: typeof payload.consumed === 'number' ? payload.consumed : null,
    });
  };
  return {
    async upsert(id, payload, expiresIn) {
      await (clients ? clients.writing(id, () => upsertRow(id, payload, expiresIn)) : upsertRow(id, payload, expiresIn));
    },
    async find(id) {
      return toPayload(clients ? await clients.get(id, () => findRow(id)) : await findRow(id));
    },
    async findByUid(uid) {
      return toPayload(await queries.findByUid.first({ model, uid, now: clock.now() }));
    },
    async findByUserCode(userCode) {
      return toPayload(await queries.findByUserCode.first({ model, userCode, now: clock.now() }));
    },
    async consume(id) {
      await queries.consume.run({ model, id, consumedAt: Math.floor(clock.now() / 1000) });
    },
    async destroy(id) {
      const destroy = async () => void (await queries.destroy.run({ model, id }));
      await (clients ? clients.writing(id, destroy) : destroy());
    },
    async revokeByGrantId(grantId) {
      await queries.revokeByGrantId.run({ model, grantId });
    },
  };
}

/** Deletes at most `limit` expired rows (reads already ignore them); run by housekeeping. */
export function sweepOauthModels(db: Kysely<Database>, clock: Clock, limit: number): Promise<number> {
  return deleteBatch(db, { table: 'oauth_models', key: ['model', 'id'], dead: sql<boolean>`expires_at <= ${clock.now()}`, limit });
}

export interface ClientCacheOptions {
  /** The SQLite change feed (another connection's commit empties the cache). */
  feed: UserChangeFeed;
  /** This connection's writes to client rows (the feed's `clients`). */
  clientChanges: NonNullable<UserChangeFeed['clients']>;
  size: number;
  maxAgeMs: number;
}

/**
 * Client rows remembered per node on embedded SQLite: every client authentication (each token request,
 * each introspection) reads its client. oidc-provider keeps the Client it built keyed by a hash of the
 * metadata, so the row is what it needs; a row remembered after its client was deleted or its secret
 * rotated would keep the old one working, so the rules are the other caches': a write through this
 * adapter or any UPDATE or DELETE of the row on this connection (the admin API's writes, raw SQL: the
 * trigger) drops it at once, another connection's commit empties the memory from the next loop turn,
 * nothing is served inside a transaction or older than `maxAgeMs`, and only rows without an expiry are
 * remembered.
 */
function clientRowCache(options: ClientCacheOptions, clock: Clock): VouchedCache<ModelRow | undefined> {
  const cache = createVouchedCache<ModelRow | undefined>({
    size: options.size,
    maxAgeMs: options.maxAgeMs,
    clock,
    feed: options.feed,
    keep: (row) => row !== undefined && row.expires_at === null,
  });
  options.clientChanges.onChange(cache.drop);
  return cache;
}
