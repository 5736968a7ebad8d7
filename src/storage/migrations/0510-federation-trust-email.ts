import type { Kysely } from 'kysely';

// Whether the operator trusts a sign-in provider's word on email addresses. Only then may a verified
// email it asserts join an existing account (whose own address is verified too); off by default, so a
// provider added before this column existed keeps the strict rule: link explicitly while signed in.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('federation_providers').addColumn('trust_email', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('federation_providers').dropColumn('trust_email').execute();
}
