import type { Kysely } from 'kysely';
import { prepareQuery, type Database, type PreparedQuery, type QueryParam } from '../../storage/index.js';

/** A stored artefact as the adapter reads it back. */
export interface ModelRow {
  payload: string;
  consumed_at: number | null;
  /** Epoch ms; null: lives until deleted (clients). */
  expires_at: number | null;
}

/** A full oauth_models row, as the schema defines it (one definition for both). */
export type ModelRowValues = Database['oauth_models'];

/**
 * The adapter's queries over oauth_models, prepared once per database: every token request runs
 * several of them (find the code or refresh token, find the grant, consume, store the new tokens), and
 * building each with Kysely on every call cost more CPU than running it. The model is a parameter, so
 * all models share one statement per query.
 */
export interface OauthModelQueries {
  findById: PreparedQuery<{ model: string; id: string; now: number }, ModelRow>;
  findByUid: PreparedQuery<{ model: string; uid: string; now: number }, ModelRow>;
  findByUserCode: PreparedQuery<{ model: string; userCode: string; now: number }, ModelRow>;
  upsert: PreparedQuery<ModelRowValues, unknown>;
  consume: PreparedQuery<{ model: string; id: string; consumedAt: number }, unknown>;
  destroy: PreparedQuery<{ model: string; id: string }, unknown>;
  revokeByGrantId: PreparedQuery<{ model: string; grantId: string }, unknown>;
}

const prepared = new WeakMap<Kysely<Database>, OauthModelQueries>();

export function oauthModelQueries(db: Kysely<Database>): OauthModelQueries {
  let queries = prepared.get(db);
  if (!queries) {
    queries = build(db);
    prepared.set(db, queries);
  }
  return queries;
}

function build(db: Kysely<Database>): OauthModelQueries {
  // Unexpired rows of one model; a row without expiry lives until deleted.
  const live = (model: string, now: number) =>
    db.selectFrom('oauth_models').select(['payload', 'consumed_at', 'expires_at']).where('model', '=', model)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  return {
    findById: prepareQuery(db, (p: QueryParam<{ model: string; id: string; now: number }>) => live(p('model'), p('now')).where('id', '=', p('id'))),
    findByUid: prepareQuery(db, (p: QueryParam<{ model: string; uid: string; now: number }>) => live(p('model'), p('now')).where('uid', '=', p('uid')).limit(1)),
    findByUserCode: prepareQuery(db, (p: QueryParam<{ model: string; userCode: string; now: number }>) =>
      live(p('model'), p('now')).where('user_code', '=', p('userCode')).limit(1)),
    upsert: prepareQuery(db, (p: QueryParam<ModelRowValues>) =>
      db
        .insertInto('oauth_models')
        .values({
          model: p('model'),
          id: p('id'),
          payload: p('payload'),
          grant_id: p('grant_id'),
          account_id: p('account_id'),
          uid: p('uid'),
          user_code: p('user_code'),
          expires_at: p('expires_at'),
          consumed_at: p('consumed_at'),
        })
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet((eb) => ({
            payload: eb.ref('excluded.payload'),
            grant_id: eb.ref('excluded.grant_id'),
            account_id: eb.ref('excluded.account_id'),
            uid: eb.ref('excluded.uid'),
            user_code: eb.ref('excluded.user_code'),
            expires_at: eb.ref('excluded.expires_at'),
            consumed_at: eb.ref('excluded.consumed_at'),
          })),
        )),
    consume: prepareQuery(db, (p: QueryParam<{ model: string; id: string; consumedAt: number }>) =>
      db.updateTable('oauth_models').set({ consumed_at: p('consumedAt') }).where('model', '=', p('model')).where('id', '=', p('id'))),
    destroy: prepareQuery(db, (p: QueryParam<{ model: string; id: string }>) =>
      db.deleteFrom('oauth_models').where('model', '=', p('model')).where('id', '=', p('id'))),
    revokeByGrantId: prepareQuery(db, (p: QueryParam<{ model: string; grantId: string }>) =>
      db.deleteFrom('oauth_models').where('model', '=', p('model')).where('grant_id', '=', p('grantId'))),
  };
}
