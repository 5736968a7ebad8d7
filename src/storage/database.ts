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
export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /**
   * PostgreSQL: the server's statement_timeout and the client's own query timeout (which also covers a
   * frozen server that never answers). Unset (tools, migrations): no bound.
   */
  statementTimeoutMs?: number | undefined;
  /** SQLite: the longest wait for the database lock (busy_timeout). Unset (tools, migrations): 5 s. */
  lockWaitMs?: number | undefined;
  /** PostgreSQL: longest wait for a connection, new or from a busy pool. Unset: no bound. */
  connectTimeoutMs?: number | undefined;
}

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  const { statementTimeoutMs, connectTimeoutMs } = options;
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      keepAlive: true,
      ...(connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMs }),
      ...(statementTimeoutMs === undefined
        ? {}
        : {
            statement_timeout: statementTimeoutMs,
            // Client side, a little longer than the server's own limit: it only fires when the server
            // is gone or frozen, and the request then gets a 503 instead of hanging.
            query_timeout: statementTimeoutMs + 500,
          }),
    });
    // An idle client erroring (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => {});
    // Nor may a checked-out one: pg-pool drops its own listener while a client is lent out, and a
    // connection cut then (a crashed server) would be an uncaught 'error' event. Queries still fail.
    pool.on('connect', (client) => client.on('error', () => {}));
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
  // Nodes of one machine take turns at the lock in milliseconds. A lock held longer is an outage (a
  // stuck process, a backup holding the file): better-sqlite3 waits for it synchronously, stalling
  // every request of the node — long enough, and health checks fail on every node at once — so the
  // wait is short, and then the write fails as a coded 503.
  sqlite.pragma(`busy_timeout = ${Math.floor(options.lockWaitMs ?? 5_000)}`);
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
