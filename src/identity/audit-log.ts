import type { Kysely } from 'kysely';
import type { Clock, IdSource, Logger } from '../core/index.js';
import type { Database } from '../storage/index.js';
import type { AuditEvent, AuditLog } from './types.js';

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;
const clip = (value: string | null | undefined, max: number): string | null => (value == null ? null : value.slice(0, max));

/**
 * Security events in the audit_events table (schema in docs/audit-events.md). Recording never throws:
 * a failed audit write is logged, and the login or logout it describes still happens.
 */
export function createSqlAuditLog(deps: { db: Kysely<Database>; clock: Clock; ids: IdSource; logger: Logger }): AuditLog {
  const { db, clock, ids, logger } = deps;
  return {
    async record(event) {
      try {
        await db
          .insertInto('audit_events')
          .values({
            id: ids.uuid(),
            at: clock.now(),
            type: event.type.slice(0, 64),
            user_id: event.userId ?? null,
            ip: clip(event.ip, 64),
            user_agent: clip(event.userAgent, 512),
            data: JSON.stringify(event.data ?? {}),
          })
          .execute();
      } catch (error) {
        logger.error({ err: error, type: event.type }, 'audit event could not be recorded');
      }
    },
    async list(query) {
      const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
      let q = db.selectFrom('audit_events').selectAll();
      if (query.userId !== undefined) q = q.where('user_id', '=', query.userId);
      if (query.before !== undefined) q = q.where('at', '<', query.before);
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(
        (row): AuditEvent => ({
          id: row.id,
          at: Number(row.at),
          type: row.type,
          userId: row.user_id,
          ip: row.ip,
          userAgent: row.user_agent,
          data: parseData(row.data),
        }),
      );
    },
  };
}

function parseData(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
