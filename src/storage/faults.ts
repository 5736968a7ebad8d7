import { GatehouseError, isGatehouseError } from '../core/index.js';

// A store that is down, frozen, restarting or full answers with driver errors of many shapes (ioredis,
// pg, better-sqlite3, plain socket errors). They all mean the same to a client — "not now, retry
// soon" — so they are recognised here once and leave every route as one coded 503 with Retry-After,
// never a 500. A programming mistake (a bad query, a constraint) is not matched and stays a 500.

/** Socket-level failures: the store cannot be reached at all. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** PostgreSQL SQLSTATEs of an unavailable or overloaded server (class 08, 53, 57P) and a cancelled statement (statement_timeout). */
const PG_CODES = /^(08...|53...|57P0[1-5]|57014|58030)$/;

/** better-sqlite3 codes of a busy, locked, full or unwritable database file. */
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOLFS)/;

/** ioredis / pg messages that carry no code. */
const MESSAGES = [
  /^Command timed out$/,
  /^Connection is closed\.?$/,
  /Stream isn't writeable/,
  /Reached the max retries per request limit/,
  /^(LOADING|MISCONF|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|BUSY|OOM)\b/,
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Query read timeout$/,
  /is not queryable/,
  /Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool$/,
];

function matchesOne(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_CODES.test(code) || SQLITE_CODES.test(code))) return true;
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

/** Whether an error (or what it wraps: `cause`, AggregateError) says a store is unavailable. */
export function isStorageFault(error: unknown, depth = 0): boolean {
  if (depth > 4 || !error || typeof error !== 'object') return false;
  if (isGatehouseError(error)) return error.code === 'GH_STORAGE_UNAVAILABLE' || isStorageFault(error.cause, depth + 1);
  if (matchesOne(error)) return true;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.some((inner) => isStorageFault(inner, depth + 1))) return true;
  return isStorageFault(cause, depth + 1);
}

/** The one coded error for "a store is unavailable" (503); the driver error is kept as cause: logged, never sent. */
export function storageUnavailable(cause: unknown): GatehouseError {
  return isGatehouseError(cause) && cause.code === 'GH_STORAGE_UNAVAILABLE' ? cause : new GatehouseError('GH_STORAGE_UNAVAILABLE', { cause });
}
