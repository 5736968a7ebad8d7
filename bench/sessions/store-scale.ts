// Session store scaling for `npm run bench -- sessions`, one store per process (run with --expose-gc):
// fills the store to each size in turn, then reports what it costs to hold them and how long a lookup
// by token hash takes. argv: <memory|sql|redis> <size,size,...> <lookups>. One JSON line per size.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, systemClock } from '../../src/core/index.js';
import { createDatabase, createRedis, migrateToLatest, type DatabaseHandle, type RedisClient } from '../../src/storage/index.js';
import { createMemorySessionStore, createRedisSessionStore, createSqlSessionStore, type SessionRecord, type SessionStore } from '../../src/sessions/index.js';
import { redisUrl } from './common.js';

export interface ScalePoint {
  store: string;
  sessions: number;
  /** Bytes the store holds for all sessions: V8 heap growth, SQLite files, or Redis MEMORY USAGE. */
  bytes: number;
  lookupMeanUs: number;
  lookupP50Us: number;
  lookupP99Us: number;
  /** Lookups that found nothing (must be 0). */
  misses: number;
  /** Sessions created per second while filling up to this size. */
  createsPerSec: number;
}

const kind = process.argv[2] ?? 'memory';
const sizes = (process.argv[3] ?? '10000').split(',').map(Number);
const lookups = Number(process.argv[4] ?? 20_000);
const gc = (globalThis as { gc?: () => void }).gc;

const HOUR = 3_600_000;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const tokenHash = (i: number) => sha256(`bench-session-token-${i}`);
// Two sessions per user, like a phone and a laptop; ids shaped like the real uuids.
const record = (i: number, now: number): SessionRecord => ({
  tokenHash: tokenHash(i),
  id: randomUUID(),
  userId: `00000000-0000-4000-8000-${(i >> 1).toString(16).padStart(12, '0')}`,
  createdAt: now,
  lastSeenAt: now,
  idleExpiresAt: now + HOUR,
  absoluteExpiresAt: now + 7 * 24 * HOUR,
  ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  userAgent: `${UA} ${i % 97}`,
});

const heapUsed = (): number => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

interface Subject {
  store: SessionStore;
  /** Adds records [from, to) as fast as the backend allows. */
  fill(from: number, to: number): Promise<void>;
  bytes(): Promise<number>;
  close(): Promise<void>;
}

async function memorySubject(): Promise<Subject> {
  const base = heapUsed();
  const store = createMemorySessionStore(systemClock);
  return {
    store,
    async fill(from, to) {
      const now = Date.now();
      for (let i = from; i < to; i++) await store.create(record(i, now));
    },
    bytes: async () => heapUsed() - base,
    close: async () => undefined,
  };
}

async function sqlSubject(): Promise<Subject> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-bench-scale-'));
  const handle: DatabaseHandle = createDatabase({ dataDir: dir });
  await migrateToLatest(handle.db);
  const store = createSqlSessionStore(handle.db, systemClock);
  return {
    store,
    async fill(from, to) {
      const now = Date.now();
      // One transaction per 5,000 rows: the filling is not what is measured, the lookups are.
      for (let start = from; start < to; start += 5000) {
        await handle.db.transaction().execute(async (trx) => {
          const inTrx = createSqlSessionStore(trx, systemClock);
          for (let i = start; i < Math.min(to, start + 5000); i++) await inTrx.create(record(i, now));
        });
      }
    },
    async bytes() {
      let total = 0;
      for (const file of await readdir(dir)) total += (await stat(join(dir, file))).size;
      return total;
    },
    async close() {
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function redisSubject(): Promise<Subject> {
  const redis: RedisClient = createRedis(redisUrl(), { name: 'gatehouse-bench-scale' });
  const prefix = `gh-bench-scale-${process.pid}:`;
  const store = createRedisSessionStore(redis, systemClock, { prefix });
  const eachKey = async (fn: (keys: string[]) => Promise<void>) => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      cursor = next;
      if (keys.length) await fn(keys);
    } while (cursor !== '0');
  };
  return {
    store,
    async fill(from, to) {
      const now = Date.now();
      // 500 creates in flight: ioredis pipelines them on its one connection.
      for (let start = from; start < to; start += 500) {
        const batch: Promise<void>[] = [];
        for (let i = start; i < Math.min(to, start + 500); i++) batch.push(store.create(record(i, now)));
        await Promise.all(batch);
      }
    },
    async bytes() {
      // Only our keys (the server is shared), exactly: MEMORY USAGE of each record and user index.
      let total = 0;
      await eachKey(async (keys) => {
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.memory('USAGE', key);
        for (const [error, size] of (await pipeline.exec()) ?? []) if (!error) total += Number(size ?? 0);
      });
      return total;
    },
    async close() {
      // Collected first, deleted after: deleting while SCAN walks a shrinking keyspace left keys behind.
      const all: string[] = [];
      await eachKey(async (keys) => void all.push(...keys));
      for (let i = 0; i < all.length; i += 5000) await redis.unlink(...all.slice(i, i + 5000));
      await redis.quit();
    },
  };
}

const subject = kind === 'memory' ? await memorySubject() : kind === 'sql' ? await sqlSubject() : await redisSubject();
try {
  let filled = 0;
  for (const size of sizes) {
    const started = performance.now();
    await subject.fill(filled, size);
    const createsPerSec = ((size - filled) / (performance.now() - started)) * 1000;
    filled = size;
    const bytes = await subject.bytes();
    // Random existing sessions: a lookup that always hits the same one would only measure a cache.
    const sample = Array.from({ length: lookups }, () => tokenHash(Math.floor(Math.random() * size)));
    for (const hash of sample.slice(0, 500)) await subject.store.findByTokenHash(hash);
    const times: number[] = [];
    let misses = 0;
    for (const hash of sample) {
      const t0 = performance.now();
      const found = await subject.store.findByTokenHash(hash);
      times.push((performance.now() - t0) * 1000);
      if (!found) misses++;
    }
    times.sort((a, b) => a - b);
    const point: ScalePoint = {
      store: kind,
      sessions: size,
      bytes,
      lookupMeanUs: round(times.reduce((a, b) => a + b, 0) / times.length, 2),
      lookupP50Us: round(percentile(times, 50), 2),
      lookupP99Us: round(percentile(times, 99), 2),
      misses,
      createsPerSec: Math.round(createsPerSec),
    };
    process.stdout.write(`${JSON.stringify(point)}\n`);
  }
} finally {
  await subject.close();
}
process.exit(0);
