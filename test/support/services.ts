// Real services for tests: each test file gets its own PostgreSQL database, its own Redis key prefix
// and its own temporary data directory, so files run in parallel without touching each other.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, createRedis, migrateToLatest, type DatabaseHandle, type RedisClient } from '../../src/storage/index.js';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const suffix = () => randomBytes(6).toString('hex');

/** A fresh, empty PostgreSQL database; `drop()` removes it. */
export async function createTestPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gh_test_${suffix()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTempDir(prefix = 'gh-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export type TestDialect = 'sqlite' | 'postgres';

/** A migrated database of either dialect, and its clean-up. */
export async function createTestDatabase(dialect: TestDialect): Promise<DatabaseHandle & { dispose(): Promise<void> }> {
  if (dialect === 'postgres') {
    const pgdb = await createTestPostgres();
    const handle = createDatabase({ databaseUrl: pgdb.url, dataDir: '/nonexistent', poolSize: 4 });
    await migrateToLatest(handle.db);
    return { ...handle, dispose: async () => { await handle.close(); await pgdb.drop(); } };
  }
  const dir = await createTempDir();
  const handle = createDatabase({ dataDir: dir.path });
  await migrateToLatest(handle.db);
  return { ...handle, dispose: async () => { await handle.close(); await dir.remove(); } };
}

/**
 * One migrated SQLite file and two connections to it: `node` (a node's own) and `other` (another node
 * process, or `gatehouse user …`), for what a node must learn of writes it did not make.
 */
export async function createSqliteTwins(): Promise<{ node: DatabaseHandle; other: DatabaseHandle; dispose(): Promise<void> }> {
  const dir = await createTempDir('gh-twins-');
  const node = createDatabase({ dataDir: dir.path });
  await migrateToLatest(node.db);
  const other = createDatabase({ dataDir: dir.path });
  return {
    node,
    other,
    async dispose() {
      await other.close();
      await node.close();
      await dir.remove();
    },
  };
}

/** A Redis connection and a key prefix no other test uses; `dispose()` deletes the prefix's keys. */
export async function createTestRedis(): Promise<{ redis: RedisClient; prefix: string; url: string; dispose(): Promise<void> }> {
  const redis = createRedis(REDIS_URL, { name: 'gatehouse-test' });
  const prefix = `ghtest:${suffix()}:`;
  return {
    redis,
    prefix,
    url: REDIS_URL,
    async dispose() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
