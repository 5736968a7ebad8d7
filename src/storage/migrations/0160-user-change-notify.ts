import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { USER_CHANGE_CHANNEL } from '../user-change-channel.js';

// Nodes keep a per-node cache of user rows (the credential check's read). PostgreSQL tells every node
// which row changed, whoever wrote it — another node, `gatehouse user ...`, an operator's psql — with a
// NOTIFY sent at commit; a TRUNCATE says "everything" (empty payload). SQLite needs nothing here: a node
// sees other connections' commits through PRAGMA data_version.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    CREATE OR REPLACE FUNCTION gatehouse_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify(${sql.lit(USER_CHANGE_CHANNEL)}, '');
      ELSE
        PERFORM pg_notify(${sql.lit(USER_CHANGE_CHANNEL)}, OLD.id);
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION gatehouse_user_changed()`.execute(db);
  await sql`CREATE TRIGGER users_truncated AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_user_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`DROP TRIGGER IF EXISTS users_truncated ON users`.execute(db);
  await sql`DROP TRIGGER IF EXISTS users_changed ON users`.execute(db);
  await sql`DROP FUNCTION IF EXISTS gatehouse_user_changed()`.execute(db);
}
