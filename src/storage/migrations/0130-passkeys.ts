import type { Kysely } from 'kysely';

// WebAuthn credentials (passkeys). The public key is all the server needs; `counter` is the
// authenticator's signature counter, which only ever grows: an assertion that does not raise it comes
// from a cloned authenticator and is refused.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mfa_passkeys')
    .addColumn('id', 'varchar(1024)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_passkeys_user').on('mfa_passkeys').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mfa_passkeys').execute();
}
