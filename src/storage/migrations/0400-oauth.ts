import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_models')
    .addColumn('model', 'varchar(64)', (c) => c.notNull())
    .addColumn('id', 'varchar(255)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'varchar(255)')
    .addColumn('account_id', 'varchar(255)')
    .addColumn('uid', 'varchar(255)')
    .addColumn('user_code', 'varchar(255)')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oauth_models_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oauth_models_grant').on('oauth_models').columns(['grant_id', 'model']).execute();
  await db.schema.createIndex('oauth_models_account').on('oauth_models').columns(['account_id', 'model']).execute();
  await db.schema.createIndex('oauth_models_uid').on('oauth_models').columns(['uid', 'model']).execute();
  await db.schema.createIndex('oauth_models_user_code').on('oauth_models').columns(['user_code', 'model']).execute();
  await db.schema.createIndex('oauth_models_expires').on('oauth_models').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oauth_models').execute();
}
