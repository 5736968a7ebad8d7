import { sql } from 'kysely';
import type { DatabaseHandle } from './database.js';
import type { RedisClient } from './redis.js';

const CHECK_TIMEOUT_MS = 1_500;

/**
 * What an acknowledged write needs to survive a restart of its store, checked once at start. Each
 * returned sentence is logged as a warning: the node still starts (a development Redis without
 * persistence is fine on a laptop), but the operator learns which promise this set-up cannot keep.
 * A store that cannot be asked (down, CONFIG disabled on a managed Redis) yields no warning.
 */
export async function durabilityWarnings(deps: { database: DatabaseHandle; redis: RedisClient | null; sessionsInRedis: boolean }): Promise<string[]> {
  const warnings: string[] = [];
  const { redis } = deps;
  if (redis) {
    const persistence = await within(redisPersistence(redis));
    if (persistence && !persistence.aof && !persistence.rdb) {
      warnings.push(
        `Redis has no persistence (appendonly no, save ""): a Redis restart forgets ${deps.sessionsInRedis ? 'every server-side session, ' : ''}the JWT deny-list (revoked access tokens verify again until they expire), login throttles, OAuth codes and interactions, and chat recovery offsets. Turn on appendonly yes (see docs/operations.md).`,
      );
    } else if (persistence && !persistence.aof) {
      warnings.push('Redis persists by snapshots only (appendonly no): a Redis crash loses what was written since the last snapshot (sessions, deny-list entries). appendonly yes with appendfsync everysec bounds that to one second.');
    }
  }
  if (deps.database.dialect === 'postgres') {
    const settings = await within(postgresDurability(deps.database));
    if (settings?.fsync === 'off') warnings.push('PostgreSQL runs with fsync = off: a server crash can corrupt or lose committed data.');
    if (settings?.synchronousCommit === 'off') warnings.push('PostgreSQL runs with synchronous_commit = off: a server crash loses the last acknowledged commits (users, refresh families, chat messages).');
  }
  return warnings;
}

async function redisPersistence(redis: RedisClient): Promise<{ aof: boolean; rdb: boolean }> {
  const [aof, save] = await Promise.all([redis.config('GET', 'appendonly'), redis.config('GET', 'save')]);
  const value = (pair: unknown) => (Array.isArray(pair) ? String(pair[1] ?? '') : '');
  return { aof: value(aof) === 'yes', rdb: value(save).trim() !== '' };
}

async function postgresDurability(database: DatabaseHandle): Promise<{ fsync: string; synchronousCommit: string }> {
  const { rows } = await sql<{ fsync: string; sc: string }>`select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sc`.execute(database.db);
  return { fsync: rows[0]?.fsync ?? 'on', synchronousCommit: rows[0]?.sc ?? 'on' };
}

function within<T>(promise: Promise<T>): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), CHECK_TIMEOUT_MS);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}
