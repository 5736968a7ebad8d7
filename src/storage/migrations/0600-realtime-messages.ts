import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('realtime_messages')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('room', 'varchar(160)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('user_name', 'varchar(256)')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .execute();
  // History pages are "this room, ids below/above X": one index serves both directions.
  await db.schema.createIndex('realtime_messages_room_id').on('realtime_messages').columns(['room', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('realtime_messages').execute();
}
