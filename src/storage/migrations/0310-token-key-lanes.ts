import { sql, type Kysely } from 'kysely';

// The keystore keeps one lane of keys per algorithm (RS256 for ID tokens beside the configured one), so
// "one current, one next" now holds per algorithm instead of across the whole table.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('token_keys_one_current').execute();
  await db.schema.dropIndex('token_keys_one_next').execute();
  await db.schema.createIndex('token_keys_one_current_per_alg').on('token_keys').columns(['alg', 'state']).unique().where(sql.ref('state'), '=', 'current').execute();
  await db.schema.createIndex('token_keys_one_next_per_alg').on('token_keys').columns(['alg', 'state']).unique().where(sql.ref('state'), '=', 'next').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('token_keys_one_current_per_alg').execute();
  await db.schema.dropIndex('token_keys_one_next_per_alg').execute();
  await db.schema.createIndex('token_keys_one_current').on('token_keys').column('state').unique().where(sql.ref('state'), '=', 'current').execute();
  await db.schema.createIndex('token_keys_one_next').on('token_keys').column('state').unique().where(sql.ref('state'), '=', 'next').execute();
}
