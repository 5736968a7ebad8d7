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
export function createSqlOidcAdapter(db: Kysely<Database>, clock: Clock, model: string): Adapter {
  // No read memo for clients: oidc-provider already keeps each Client it built, keyed by a hash of the
  // stored metadata, so a memo would save only this one prepared read — and a memo on each node would
  // keep a deleted client or a rotated secret working there until it lapsed.
  const queries = oauthModelQueries(db);
  const toPayload = (row: ModelRow | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Number(row.consumed_at);
    return payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
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
      return toPayload(await queries.findById.first({ model, id, now: clock.now() }));
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
