import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Clock, IdSource, Logger } from '../core/index.js';
import { isStorageFault, storageUnavailable, type Database } from '../storage/index.js';
import type { AuditEvent, AuditLog } from './types.js';

/** The row as written; kept whole in the queue so a retry writes the very same event (same id). */
type AuditRow = { id: string; at: number; type: string; user_id: string | null; ip: string | null; user_agent: string | null; data: string };

/** Events waiting for the database, at most; beyond it the action that would be audited is refused (503). */
export const AUDIT_QUEUE_LIMIT = 10_000;
const FLUSH_EVERY_MS = 1_000;

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;
const clip = (value: string | null | undefined, max: number): string | null => (value == null ? null : value.slice(0, max));

/**
 * Security events in the audit_events table (schema in docs/audit-events.md).
 *
 * While the database is unavailable an event is not dropped: it waits in a queue (and, with
 * `spoolFile`, in an append-only file, so a node restarted meanwhile still has it) and is written
 * when the database is back, under its original id and time — a retried write is idempotent. The
 * action it describes goes ahead. Only when AUDIT_QUEUE_LIMIT events are waiting is recording refused
 * with a 503, and with it the action: an outage never makes actions unaudited.
 */
export function createSqlAuditLog(deps: { db: Kysely<Database>; clock: Clock; ids: IdSource; logger: Logger; spoolFile?: string | undefined }): AuditLog {
  const { db, clock, ids, logger, spoolFile } = deps;
  const queue: AuditRow[] = readSpool(spoolFile, logger);
  let flushing: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const insert = (row: AuditRow) => db.insertInto('audit_events').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();

  const flush = (): Promise<void> =>
    (flushing ??= (async () => {
      try {
        while (queue.length > 0) {
          await insert(queue[0]!);
          queue.shift();
        }
        if (spoolFile) rmSync(spoolFile, { force: true });
      } catch (error) {
        if (!isStorageFault(error)) {
          // Not an outage: this event will never be writable. Log it whole rather than block the queue.
          logger.error({ err: error, event: queue.shift() }, 'audit event could not be recorded');
        }
      } finally {
        flushing = null;
        schedule();
      }
    })());
  const schedule = () => {
    if (queue.length === 0 || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, FLUSH_EVERY_MS);
    timer.unref();
  };
  const enqueue = (row: AuditRow, cause: unknown) => {
    if (queue.length >= AUDIT_QUEUE_LIMIT) throw storageUnavailable(cause);
    if (spoolFile) {
      try {
        appendFileSync(spoolFile, `${JSON.stringify(row)}\n`, { mode: 0o600 });
      } catch (error) {
        logger.warn({ err: error }, 'audit log: cannot spool to disk; the queued event survives only while this node runs');
      }
    }
    if (queue.length === 0) logger.warn({ err: cause }, 'audit log: the database is unavailable; queueing events until it is back');
    queue.push(row);
    schedule();
  };
  schedule();

  return {
    async record(event) {
      const row: AuditRow = {
        id: ids.uuid(),
        at: clock.now(),
        type: event.type.slice(0, 64),
        user_id: event.userId ?? null,
        ip: clip(event.ip, 64),
        user_agent: clip(event.userAgent, 512),
        data: JSON.stringify(event.data ?? {}),
      };
      // Behind a queue, a new event waits its turn so the log keeps its order.
      if (queue.length > 0) return enqueue(row, new Error('audit queue not yet flushed'));
      try {
        await insert(row);
      } catch (error) {
        if (!isStorageFault(error)) {
          logger.error({ err: error, type: event.type }, 'audit event could not be recorded');
          return;
        }
        enqueue(row, error);
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

/** Events a previous run of this node queued and could not write before it stopped. */
function readSpool(spoolFile: string | undefined, logger: Logger): AuditRow[] {
  if (!spoolFile) return [];
  let text: string;
  try {
    text = readFileSync(spoolFile, 'utf8');
  } catch {
    return [];
  }
  const rows: AuditRow[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      rows.push(JSON.parse(line) as AuditRow);
    } catch {
      // A line cut short by a crash mid-write: the only event that can be lost, and it is logged.
      logger.error({ spoolFile }, 'audit log: skipped an unreadable spooled event');
    }
  }
  if (rows.length > 0) logger.warn({ events: rows.length }, 'audit log: writing events queued before the last stop');
  return rows;
}
