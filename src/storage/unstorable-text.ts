import { GatehouseError, isGatehouseError } from '../core/index.js';

/**
 * PostgreSQL refuses NUL (U+0000) in text and jsonb — SQLSTATE 22021 (character_not_in_repertoire)
 * and 22P05 (untranslatable_character) — where SQLite stores it. Such a value can only have come from
 * the client (a search term, an id, a form field), so it is the client's mistake: a coded 400, not a
 * 500, on either store.
 */
const PG_TEXT_CODES = new Set(['22021', '22P05']);

export function isUnstorableText(error: unknown, depth = 0): boolean {
  if (depth > 4 || !error || typeof error !== 'object') return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (!isGatehouseError(error) && typeof code === 'string' && PG_TEXT_CODES.has(code)) return true;
  return isUnstorableText(cause, depth + 1);
}

export const UNSTORABLE_TEXT_MESSAGE = 'The request contains a character that cannot be stored (U+0000).';

export function unstorableText(cause: unknown): GatehouseError {
  return new GatehouseError('GH_CORE_VALIDATION', { message: UNSTORABLE_TEXT_MESSAGE, cause });
}
