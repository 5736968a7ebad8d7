import pg from 'pg';
import type SQLite from 'better-sqlite3';
import { systemClock, type Clock } from '../core/index.js';
import type { DatabaseHandle } from './database.js';
import { startHeartbeat } from './heartbeat.js';
import { rawAccess } from './prepared.js';
import { USER_CHANGE_CHANNEL } from './user-change-channel.js';

/**
 * How a node learns that a user row changed in a write it did not make itself (another node, the CLI,
 * an operator's SQL), so a per-node cache of user rows can drop it. The node's own writes are announced
 * by the code that makes them; this covers everybody else.
 */
export interface UserChangeFeed {
  /**
   * Whether a cached row may be served right now. False means "read the store": the feed cannot vouch
   * for the cache (PostgreSQL: not listening; SQLite: the connection is inside a transaction). May
   * first report a change (SQLite: another connection committed since the last call).
   */
  vouches(): boolean;
  /** `userId` changed, or (null) anything may have changed: drop it, or everything. */
  onChange(listener: (userId: string | null) => void): void;
  /** Whether the feed vouches at all now (PostgreSQL: the LISTEN connection is up); for tests and status. */
  readonly live: boolean;
  /** Called whenever `live` flips. */
  onLive(listener: (live: boolean) => void): void;
  /**
   * SQLite only: this connection's UPDATEs and DELETEs of session rows (any code, raw SQL, a user's
   * deletion cascading), by token hash. Another connection's writes reach `onChange(null)` as for users.
   * Absent where session rows are not watched (PostgreSQL): a session cache must then stay off.
   */
  readonly sessions?: { onChange(listener: (tokenHash: string) => void): void };
  /** SQLite only: this connection's writes to key-value entries (insert, update, delete), by key. */
  readonly keys?: { onChange(listener: (key: string) => void): void };
  /** SQLite only: this connection's UPDATEs and DELETEs of OAuth client rows, by client id. */
  readonly clients?: { onChange(listener: (clientId: string) => void): void };
  close(): Promise<void>;
}

export interface UserChangeFeedOptions {
  /** PostgreSQL: the URL for the dedicated LISTEN connection (the pool's). */
  databaseUrl?: string | undefined;
  connectTimeoutMs?: number | undefined;
  /** Names the LISTEN connection in pg_stat_activity. */
  applicationName?: string;
  /** Times the reconnection attempts (tests move it by hand). */
  clock?: Clock;
}

type Listeners<T> = { add(fn: (value: T) => void): void; emit(value: T): void };
const listeners = <T>(): Listeners<T> => {
  const set: ((value: T) => void)[] = [];
  return { add: (fn) => void set.push(fn), emit: (value) => set.forEach((fn) => fn(value)) };
};

/** The feed for a database made by createDatabase: data_version on SQLite, LISTEN/NOTIFY on PostgreSQL. */
export function createUserChangeFeed(database: DatabaseHandle, options: UserChangeFeedOptions = {}): UserChangeFeed {
  const access = rawAccess(database.db);
  if (access?.dialect === 'sqlite') return sqliteFeed(access.sqlite);
  if (access?.dialect === 'postgres' && options.databaseUrl) return postgresFeed(options.databaseUrl, options);
  return unwatched;
}

/** Not a handle we can watch: never vouches, so a cache over it only ever reads through. */
/**
 * This connection's writes to `table`, reported by the key `column` of each row: a SQL function and a
 * TEMP trigger per event (the connection's own; other processes never see them). `when` narrows the
 * rows (a condition on the row, written without OLD./NEW.).
 */
function watchRows(sqlite: SQLite.Database, table: string, column: string, events: readonly ('INSERT' | 'UPDATE' | 'DELETE')[], when?: string): Listeners<string> {
  const rows = listeners<string>();
  const fn = `gatehouse_${table}_changed`;
  sqlite.function(fn, { deterministic: false, varargs: false }, (key: unknown) => {
    if (typeof key === 'string') rows.emit(key);
    return null;
  });
  for (const event of events) {
    const row = event === 'INSERT' ? 'NEW' : 'OLD';
    const condition = when ? `WHEN ${row}.${when} ` : '';
    sqlite.exec(`CREATE TEMP TRIGGER IF NOT EXISTS ${fn}_${event.toLowerCase()} AFTER ${event} ON main.${table} ${condition}BEGIN SELECT ${fn}(${row}.${column}); END`);
  }
  return rows;
}

const unwatched: UserChangeFeed = { vouches: () => false, onChange: () => {}, live: false, onLive: () => {}, close: async () => {} };

/**
 * SQLite: PRAGMA data_version changes when another connection (another node process, the CLI) has
 * committed since this connection last asked; it opens a read transaction, so it sees the latest WAL
 * commit. Any such commit clears the cache — the pragma cannot say which table moved. This connection's
 * own writes do not move it, so a TEMP trigger (this connection's alone; other processes never see it
 * or need its function) reports every UPDATE or DELETE of a user row made here, whatever code or raw
 * SQL made it; others do the same for session rows, key-value entries and OAuth client rows (the
 * session, deny-list and client caches' own feeds).
 */
function sqliteFeed(sqlite: SQLite.Database): UserChangeFeed {
  const changes = listeners<string | null>();
  let rows: Record<'sessions' | 'keys' | 'clients', Listeners<string>>;
  try {
    watchRows(sqlite, 'users', 'id', ['UPDATE', 'DELETE']).add(changes.emit);
    rows = {
      sessions: watchRows(sqlite, 'sessions', 'token_hash', ['UPDATE', 'DELETE']),
      keys: watchRows(sqlite, 'kv_entries', 'key', ['INSERT', 'UPDATE', 'DELETE']),
      clients: watchRows(sqlite, 'oauth_models', 'id', ['UPDATE', 'DELETE'], "model = 'Client'"),
    };
  } catch {
    // No users or sessions table on this connection (a tool's handle): nothing to vouch for.
    return unwatched;
  }
  const version = sqlite.prepare('PRAGMA data_version').pluck();
  let seen = version.get();
  // Asked once per turn of the event loop: the pragma opens a read transaction (the WAL index's lock
  // taken and released), about as dear as the read it saves. Every request whose bytes this turn reads
  // had arrived before the turn began (the poll that found them ready), so one answer, taken during the
  // turn, still sees every commit made before any of them arrived. Cleared in the turn's check phase.
  let askedThisTurn = false;
  const nextTurn = () => {
    askedThisTurn = false;
  };
  return {
    vouches() {
      // Inside a transaction (held across awaits by Kysely) the pragma reads that transaction's snapshot,
      // which may predate another process's commit.
      if (sqlite.inTransaction) return false;
      if (askedThisTurn) return true;
      const now = version.get();
      if (now !== seen) {
        seen = now;
        changes.emit(null);
      }
      askedThisTurn = true;
      setImmediate(nextTurn);
      return true;
    },
    onChange: changes.add,
    live: true,
    onLive: () => {},
    sessions: { onChange: rows.sessions.add },
    keys: { onChange: rows.keys.add },
    clients: { onChange: rows.clients.add },
    close: async () => {},
  };
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** How often the LISTEN connection is asked `SELECT 1`, and how old its last answer may be while the feed vouches. */
const HEARTBEAT_MS = 1_000;
const STALE_AFTER_MS = 2_500;

/**
 * PostgreSQL: a dedicated connection LISTENs on the channel the users-table trigger notifies at commit.
 * It is opened on first use (a CLI process that never serves a request opens none). While it is not
 * listening — not yet, or lost — the feed does not vouch and the cache is bypassed; notifications sent
 * meanwhile are lost, so becoming live again first drops everything.
 */
function postgresFeed(databaseUrl: string, options: UserChangeFeedOptions): UserChangeFeed {
  const { connectTimeoutMs, applicationName, clock = systemClock } = options;
  const changes = listeners<string | null>();
  const liveness = listeners<boolean>();
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retry: (() => void) | undefined;
  // A frozen server or a silent network keeps the socket open and delivers nothing: without a heartbeat
  // the cache would go on vouching until TCP gave up.
  const heartbeat = startHeartbeat({
    intervalMs: HEARTBEAT_MS,
    staleAfterMs: STALE_AFTER_MS,
    beat: () => {
      const c = client;
      return live && c ? c.query('SELECT 1').catch((error: unknown) => (lost(c), Promise.reject(error))) : null;
    },
  });

  const setLive = (value: boolean) => {
    if (live === value) return;
    if (value) heartbeat.confirm();
    else heartbeat.forget();
    // Either way the cache empties: going down, entries can no longer be vouched for; coming up, changes
    // made while down were never heard. Dropped before `live` turns true, so no read begun earlier lands.
    changes.emit(null);
    live = value;
    liveness.emit(value);
  };

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    setLive(false);
    c.end().catch(() => {});
    if (closed) return;
    retry = clock.setTimer(retryMs, connect);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const connect = () => {
    retry = undefined;
    const c = new pg.Client({
      connectionString: databaseUrl,
      keepAlive: true,
      ...(applicationName === undefined ? {} : { application_name: applicationName }),
      ...(connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMs }),
    });
    client = c;
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (message) => {
      if (message.channel === USER_CHANGE_CHANNEL) changes.emit(message.payload ? message.payload : null);
    });
    c.connect()
      .then(() => c.query(`LISTEN ${USER_CHANGE_CHANNEL}`))
      .then(() => {
        if (client !== c || closed) return;
        retryMs = RETRY_MIN_MS;
        setLive(true);
      })
      .catch(() => lost(c));
  };

  return {
    vouches() {
      if (!client && !retry && !closed) connect();
      return live && heartbeat.fresh();
    },
    onChange: changes.add,
    get live() {
      return live;
    },
    onLive: liveness.add,
    async close() {
      closed = true;
      heartbeat.stop();
      retry?.();
      const c = client;
      client = null;
      setLive(false);
      await c?.end().catch(() => {});
    },
  };
}
