import type { Kysely } from 'kysely';

// What an account knows about itself beyond its credentials: whether its email address was proven
// (and how: a mailed link, an operator, an upstream provider), and whether an operator disabled it.
// Account linking (sign-in with other providers) and the admin console both decide on these columns.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('email_verified_via', 'varchar(128)').execute();
  await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('disabled_at').execute();
  await db.schema.alterTable('users').dropColumn('email_verified_via').execute();
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
}
