import { sql, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '../core/index.js';
import { deleteBatch, prepareQuery, type Database, type QueryParam } from '../storage/index.js';
import { newestFirst, type SessionRecord, type SessionStore } from './types.js';

type Row = Selectable<Database['sessions']>;

const fromRow = (row: Row): SessionRecord => ({
  tokenHash: row.token_hash,
  id: row.id,
  userId: row.user_id,
  createdAt: Number(row.created_at),
  lastSeenAt: Number(row.last_seen_at),
  idleExpiresAt: Number(row.idle_expires_at),
  absoluteExpiresAt: Number(row.absolute_expires_at),
  ip: row.ip,
  userAgent: row.user_agent,
});

/**
 * The sessions table on SQLite or PostgreSQL: the token hash is the primary key (one index probe per
 * request), user_id is indexed for listing. Every read filters on both expiries by the injected clock.
 */
export function createSqlSessionStore(db: Kysely<Database>, clock: Clock): SessionStore {
  const live = () => {
    const now = clock.now();
    return db.selectFrom('sessions').selectAll().where('idle_expires_at', '>', now).where('absolute_expires_at', '>', now);
  };
  // The per-request lookup: compiled and prepared once.
  const selectLive = prepareQuery(db, (p: QueryParam<{ tokenHash: string; now: number }>) =>
    db.selectFrom('sessions').selectAll().where('token_hash', '=', p('tokenHash')).where('idle_expires_at', '>', p('now')).where('absolute_expires_at', '>', p('now')),
  );
  const liveOnly = (rows: Row[]): SessionRecord[] => {
    const now = clock.now();
    return rows.map(fromRow).filter((r) => r.idleExpiresAt > now && r.absoluteExpiresAt > now);
  };
  return {
    async create(r) {
      await db
        .insertInto('sessions')
        .values({
          token_hash: r.tokenHash,
          id: r.id,
          user_id: r.userId,
          created_at: r.createdAt,
          last_seen_at: r.lastSeenAt,
          idle_expires_at: r.idleExpiresAt,
          absolute_expires_at: r.absoluteExpiresAt,
          ip: r.ip,
          user_agent: r.userAgent,
        })
        .execute();
    },
    async findByTokenHash(tokenHash) {
      const row = await selectLive.first({ tokenHash, now: clock.now() });
      return row ? fromRow(row) : null;
    },
    async touch(tokenHash, lastSeenAt, idleExpiresAt) {
      const now = clock.now();
      const result = await db
        .updateTable('sessions')
        .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
        .where('token_hash', '=', tokenHash)
        .where('idle_expires_at', '>', now)
        .where('absolute_expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async deleteByTokenHash(tokenHash) {
      const rows = await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).returningAll().execute();
      return liveOnly(rows)[0] ?? null;
    },
    async deleteById(userId, id) {
      const rows = await db.deleteFrom('sessions').where('id', '=', id).where('user_id', '=', userId).returningAll().execute();
      return liveOnly(rows)[0] ?? null;
    },
    async deleteByUser(userId, exceptId) {
      let q = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
      return liveOnly(await q.returningAll().execute()).sort(newestFirst);
    },
    async listByUser(userId) {
      const rows = await live().where('user_id', '=', userId).execute();
      return rows.map(fromRow).sort(newestFirst);
    },
    async sweep(limit) {
      const now = clock.now();
      return deleteBatch(db, { table: 'sessions', key: ['token_hash'], dead: sql<boolean>`(idle_expires_at <= ${now} or absolute_expires_at <= ${now})`, limit });
    },
  };
}
