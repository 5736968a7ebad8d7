import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../core/index.js';
import type { Database } from '../../storage/index.js';
import { indexFields } from './models.js';

/**
 * One oidc-provider model over the oauth_models table (SQLite or PostgreSQL). Expiry follows the
 * injected clock: an expired row reads as absent and is swept later. `consumed` is a column, so
 * consuming a code is one UPDATE instead of a read-modify-write of the payload.
 */
export function createSqlOidcAdapter(db: Kysely<Database>, clock: Clock, model: string, options: { clientCacheMs?: number } = {}): Adapter {
  // Clients are read on every token request and change rarely: a short memo saves a query each time.
  // A change made on another node (or by the CLI) is seen within clientCacheMs.
  const cacheMs = model === 'Client' ? (options.clientCacheMs ?? 5_000) : 0;
  const memo = new Map<string, { at: number; payload: AdapterPayload | undefined }>();
  const live = () => db.selectFrom('oauth_models').select(['payload', 'consumed_at']).where('model', '=', model)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', clock.now())]));
  const toPayload = (row: { payload: string; consumed_at: number | null } | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
      memo.delete(id);
      const { grantId, accountId, uid, userCode } = indexFields(model, payload);
      const values = {
        payload: JSON.stringify(payload),
        grant_id: grantId,
        account_id: accountId,
        uid,
        user_code: userCode,
        expires_at: typeof expiresIn === 'number' ? clock.now() + expiresIn * 1000 : null,
        consumed_at: typeof payload.consumed === 'number' ? payload.consumed : null,
      };
      await db
        .insertInto('oauth_models')
        .values({ model, id, ...values })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
        .execute();
    },
    async find(id) {
      if (cacheMs > 0) {
        const hit = memo.get(id);
        if (hit && clock.now() - hit.at < cacheMs) return hit.payload && structuredClone(hit.payload);
      }
      const payload = toPayload(await live().where('id', '=', id).executeTakeFirst());
      if (cacheMs > 0) {
        if (memo.size > 1000) memo.clear();
        memo.set(id, { at: clock.now(), payload });
      }
      return payload;
    },
    async findByUid(uid) {
      return toPayload(await live().where('uid', '=', uid).executeTakeFirst());
    },
    async findByUserCode(userCode) {
      return toPayload(await live().where('user_code', '=', userCode).executeTakeFirst());
    },
    async consume(id) {
      await db
        .updateTable('oauth_models')
        .set({ consumed_at: Math.floor(clock.now() / 1000) })
        .where('model', '=', model)
        .where('id', '=', id)
        .execute();
    },
    async destroy(id) {
      memo.delete(id);
      await db.deleteFrom('oauth_models').where('model', '=', model).where('id', '=', id).execute();
    },
    async revokeByGrantId(grantId) {
      await db.deleteFrom('oauth_models').where('model', '=', model).where('grant_id', '=', grantId).execute();
    },
  };
}

/** Deletes expired rows; run now and then (reads already ignore them). */
export async function sweepOauthModels(db: Kysely<Database>, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('oauth_models').where('expires_at', '<=', clock.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
