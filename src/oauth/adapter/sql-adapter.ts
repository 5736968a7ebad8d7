import { sql, type Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../core/index.js';
import { deleteBatch, type Database } from '../../storage/index.js';
import { indexFields } from './models.js';
import { oauthModelQueries, type ModelRow } from './sql-queries.js';

/**
 * One oidc-provider model over the oauth_models table (SQLite or PostgreSQL). Expiry follows the
 * injected clock: an expired row reads as absent and is swept later. `consumed` is a column, so
 * consuming a code is one UPDATE instead of a read-modify-write of the payload. Every call runs one
 * prepared query (sql-queries.ts), never a freshly built one.
 */
export function createSqlOidcAdapter(db: Kysely<Database>, clock: Clock, model: string, options: { clientCacheMs?: number } = {}): Adapter {
  // Clients are read on every token request and change rarely: a short memo saves a query each time.
  // A change made on another node (or by the CLI) is seen within clientCacheMs.
  const cacheMs = model === 'Client' ? (options.clientCacheMs ?? 5_000) : 0;
  const memo = new Map<string, { at: number; payload: AdapterPayload | undefined }>();
  const queries = oauthModelQueries(db);
  const toPayload = (row: ModelRow | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Number(row.consumed_at);
    return payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
      memo.delete(id);
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
    },
    async find(id) {
      if (cacheMs > 0) {
        const hit = memo.get(id);
        if (hit && clock.now() - hit.at < cacheMs) return hit.payload && structuredClone(hit.payload);
      }
      const payload = toPayload(await queries.findById.first({ model, id, now: clock.now() }));
      if (cacheMs > 0) {
        if (memo.size > 1000) memo.clear();
        memo.set(id, { at: clock.now(), payload });
      }
      return payload;
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
      memo.delete(id);
      await queries.destroy.run({ model, id });
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
