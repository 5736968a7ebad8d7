import type { Kysely } from 'kysely';

// Housekeeping drops messages older than the retention by `ts`: an index keeps each batch a range read.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('realtime_messages_ts').on('realtime_messages').column('ts').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('realtime_messages_ts').execute();
}
