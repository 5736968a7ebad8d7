import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/services.js';
import { GatehouseError } from '../core/index.js';
import { createDatabase } from './database.js';
import { isStorageFault } from './faults.js';
import { createRedis } from './redis.js';

// Real driver errors, not hand-made look-alikes: what each driver really throws when its store is
// unreachable must read as "unavailable" (503), and a mistake in a query must not (it stays a 500).
describe('isStorageFault', () => {
  it('recognises an unreachable Redis, bounded by the command timeout', async () => {
    const redis = createRedis('redis://127.0.0.1:1', { commandTimeoutMs: 300 });
    try {
      const error = await redis.get('x').then(() => null, (e: unknown) => e);
      expect(isStorageFault(error)).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('recognises an unreachable PostgreSQL', async () => {
    const database = createDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '/nonexistent', connectTimeoutMs: 500 });
    try {
      const error = await database.ping().then(() => null, (e: unknown) => e);
      expect(isStorageFault(error)).toBe(true);
    } finally {
      await database.close();
    }
  });

  it('does not take a broken query, or any other error, for an outage', async () => {
    const database = await createTestDatabase('postgres');
    try {
      const error = await database.db.selectFrom('no_such_table' as never).selectAll().execute().then(() => null, (e: unknown) => e);
      expect(error).toBeTruthy();
      expect(isStorageFault(error)).toBe(false);
    } finally {
      await database.dispose();
    }
    expect(isStorageFault(new Error('boom'))).toBe(false);
    expect(isStorageFault(new GatehouseError('GH_AUTH_FORBIDDEN'))).toBe(false);
    // …but an outage wrapped by a feature is still one.
    expect(isStorageFault(new GatehouseError('GH_REALTIME_UNAVAILABLE', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe(true);
  });
});
