import { sql, type Kysely } from 'kysely';
import { GatehouseError } from '../core/index.js';
import { deleteBatch, isStorageFault, type Database } from '../storage/index.js';

export interface StoredMessage {
  id: string;
  /** Internal room key (`room:<name>` or `dm:<a>:<b>`). */
  room: string;
  userId: string;
  userName: string | null;
  text: string;
  ts: number;
}

export interface HistoryPage {
  /** Oldest first, whichever way the page was taken. */
  messages: StoredMessage[];
  /** Whether more messages lie beyond this page in the direction it was taken. */
  more: boolean;
}

/** Chat history in SQL (SQLite or PostgreSQL), paged by time-ordered message id. */
export interface MessageStore {
  append(message: StoredMessage): Promise<void>;
  /** `before`: the page just older than that id (default: the newest page); `after`: the page just newer. */
  page(room: string, options: { before?: string | undefined; after?: string | undefined; limit: number }): Promise<HistoryPage>;
}

/** A store outage is "history is not reachable right now" (503, retry); anything else stays what it is. */
function unavailable(cause: unknown): unknown {
  return isStorageFault(cause) ? new GatehouseError('GH_REALTIME_UNAVAILABLE', { cause }) : cause;
}

export function createSqlMessageStore(db: Kysely<Database>): MessageStore {
  return {
    async append(m) {
      try {
        await db
          .insertInto('realtime_messages')
          .values({ id: m.id, room: m.room, user_id: m.userId, user_name: m.userName, text: m.text, ts: m.ts })
          .execute();
      } catch (error) {
        throw unavailable(error);
      }
    },
    async page(room, { before, after, limit }) {
      try {
        let query = db.selectFrom('realtime_messages').selectAll().where('room', '=', room);
        if (after !== undefined) {
          query = query.where('id', '>', after).orderBy('id', 'asc');
        } else {
          if (before !== undefined) query = query.where('id', '<', before);
          query = query.orderBy('id', 'desc');
        }
        const rows = await query.limit(limit + 1).execute();
        const more = rows.length > limit;
        const taken = rows.slice(0, limit);
        if (after === undefined) taken.reverse();
        return {
          more,
          messages: taken.map((r) => ({ id: r.id, room: r.room, userId: r.user_id, userName: r.user_name, text: r.text, ts: Number(r.ts) })),
        };
      } catch (error) {
        throw unavailable(error);
      }
    },
  };
}

/** Deletes at most `limit` messages older than `before` (epoch ms); run by housekeeping. */
export function sweepMessages(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  return deleteBatch(db, { table: 'realtime_messages', key: ['id'], dead: sql<boolean>`ts < ${before}`, limit });
}
