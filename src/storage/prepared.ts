import { createHash } from 'node:crypto';
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { GatehouseError } from '../core/index.js';

// Why this exists: building, compiling and (on SQLite) re-preparing a Kysely query costs ~70 µs of CPU
// per call, far more than the statement itself (~5 µs for a primary-key read on SQLite). A query run on
// every request is therefore defined once with Kysely (one definition, both dialects' SQL), compiled
// once, and then only executed: on SQLite through one cached better-sqlite3 statement, on PostgreSQL as
// a named prepared statement that pg parses once per pooled connection.

/** The raw handle behind a Kysely instance made by createDatabase. */
type RawAccess = { dialect: 'sqlite'; sqlite: SQLite.Database } | { dialect: 'postgres'; pool: pg.Pool };

const RAW = new WeakMap<object, RawAccess>();

/** Called by createDatabase for the Kysely instance it returns (not part of the barrel). */
export function registerRawAccess(db: object, access: RawAccess): void {
  RAW.set(db, access);
}

/** The raw handle behind a Kysely instance made by createDatabase (not part of the barrel). */
export function rawAccess(db: object): RawAccess | undefined {
  return RAW.get(db);
}

/** Stands for a value given at run time; `name` is a key of the query's parameter object. */
export type QueryParam<P> = <K extends keyof P & string>(name: K) => P[K];

/** A query compiled once and run many times with different parameters. */
export interface PreparedQuery<P, R> {
  /** Every row the query returns. */
  all(params: P): Promise<R[]>;
  /** The first row, or undefined. */
  first(params: P): Promise<R | undefined>;
  /** Runs a write; resolves to the number of rows it inserted, updated or deleted. */
  run(params: P): Promise<number>;
}

const MARK = '\u0000gh-param:';

/** One compiled parameter slot: a run-time parameter by name, or a constant baked into the definition. */
type Slot = { name: string } | { value: unknown };

/**
 * Defines a hot-path query once. `build` returns a Kysely query in which every run-time value is
 * `param('name')`; constants may be written as plain values. On a Kysely instance from createDatabase
 * the query then runs without Kysely's per-call building: SQLite takes the one connection (so it never
 * lands inside someone else's open transaction) and runs a cached statement; PostgreSQL runs a named
 * prepared statement on a pooled connection. On any other Kysely instance (a transaction, a plugin
 * copy) it runs the same compiled SQL through Kysely, so the result is the same either way.
 *
 * Annotate `param` to type the parameters: `prepareQuery(db, (p: QueryParam<{ id: string }>) => …)`.
 * Result rows are what the driver returns (column names as selected, BIGINT as number). A schema
 * change that alters a prepared query's result columns needs a new process on PostgreSQL.
 */
export function prepareQuery<DB, P extends object, R>(
  db: Kysely<DB>,
  build: (param: QueryParam<P>) => Compilable<R>,
): PreparedQuery<P, R> {
  const compiled = build(((name: string) => `${MARK}${name}`) as QueryParam<P>).compile();
  if (compiled.sql.includes(MARK)) {
    throw new GatehouseError('GH_STORAGE_PREPARED_QUERY', { message: 'A query parameter ended up in the SQL text (use param() only where a value goes).' });
  }
  const slots: Slot[] = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
  );
  const bind = (params: P): unknown[] =>
    slots.map((slot) => {
      const value = 'name' in slot ? (params as Record<string, unknown>)[slot.name] : slot.value;
      // Drivers differ on undefined (better-sqlite3 refuses it); SQL means null.
      return value === undefined ? null : value;
    });
  const { sql } = compiled;
  const access = RAW.get(db);

  if (access?.dialect === 'sqlite') {
    let statement: SQLite.Statement | undefined;
    const { sqlite } = access;
    // A transaction another caller has open on the one connection (Kysely holds it across awaits) must
    // not take this statement in: then it waits for Kysely's connection like any query. Otherwise nothing
    // can be open on the connection (better-sqlite3 runs each statement to completion, and nothing here
    // streams), so the statement runs at once: Kysely's connection hand-off cost about as much CPU as the
    // primary-key read itself (about 4 µs of 10).
    const prepared = () => (statement ??= sqlite.prepare(sql));
    const exclusive = <T>(work: (stmt: SQLite.Statement) => T): Promise<T> => {
      if (sqlite.inTransaction) return db.connection().execute(async () => work(prepared()));
      try {
        return Promise.resolve(work(prepared()));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return {
      all: (params) => exclusive((stmt) => (stmt.reader ? (stmt.all(bind(params)) as R[]) : (stmt.run(bind(params)), []))),
      first: (params) => exclusive((stmt) => (stmt.reader ? (stmt.get(bind(params)) as R | undefined) : (stmt.run(bind(params)), undefined))),
      run: (params) => exclusive((stmt) => (stmt.reader ? stmt.all(bind(params)).length : stmt.run(bind(params)).changes)),
    };
  }

  if (access?.dialect === 'postgres') {
    // Same text, same name: pg skips the Parse step on a connection that has already seen it.
    const name = `gh_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    const query = (params: P) => access.pool.query({ name, text: sql, values: bind(params) });
    return {
      all: async (params) => (await query(params)).rows as R[],
      first: async (params) => (await query(params)).rows[0] as R | undefined,
      run: async (params) => (await query(params)).rowCount ?? 0,
    };
  }

  const execute = (params: P) => db.executeQuery<R>(CompiledQuery.raw(sql, bind(params)));
  return {
    all: async (params) => (await execute(params)).rows,
    first: async (params) => (await execute(params)).rows[0],
    run: async (params) => {
      const result = await execute(params);
      return Number(result.numAffectedRows ?? BigInt(result.rows.length));
    },
  };
}
