import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { registerRawAccess } from './prepared.js';
import type { Database } from './schema/index.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SQLITE_FILE = 'gatehouse.db';

// BIGINT (int8) comes back from pg as a string; our BIGINTs are epoch ms, well inside 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** PostgreSQL when `databaseUrl` is set, otherwise SQLite (WAL) in the data directory. */
export function createDatabase(options: { databaseUrl?: string | undefined; dataDir: string; poolSize?: number }): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client erroring (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    registerRawAccess(db, { dialect: 'postgres', pool });
    return {
      db,
      dialect: 'postgres',
      ping: async () => void (await sql`select 1`.execute(db)),
      close: () => db.destroy(),
    };
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = join(options.dataDir, SQLITE_FILE);
  const sqlite = new SQLite(file);
  // WAL lets several node processes share the file: readers never block the one writer.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  registerRawAccess(db, { dialect: 'sqlite', sqlite });
  return {
    db,
    dialect: 'sqlite',
    ping: async () => void sqlite.prepare('select 1').get(),
    close: () => db.destroy(),
  };
}
