import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../core/index.js';
import { createTestDatabase, createTestRedis } from '../../../test/support/services.js';
import type { KeyValueStore } from './contract.js';
import { createMemoryKeyValueStore } from './memory.js';
import { createRedisKeyValueStore } from './redis.js';
import { createSqlKeyValueStore } from './sql.js';

type Factory = (clock: ManualClock) => Promise<{ store: KeyValueStore; dispose(): Promise<void> }>;

const factories: Record<string, Factory> = {
  memory: async (clock) => ({ store: createMemoryKeyValueStore(clock), dispose: async () => {} }),
  sqlite: async (clock) => {
    const db = await createTestDatabase('sqlite');
    return { store: createSqlKeyValueStore(db.db, clock), dispose: db.dispose };
  },
  postgres: async (clock) => {
    const db = await createTestDatabase('postgres');
    return { store: createSqlKeyValueStore(db.db, clock), dispose: db.dispose };
  },
  redis: async (clock) => {
    const r = await createTestRedis();
    return { store: createRedisKeyValueStore(r.redis, clock, { prefix: r.prefix }), dispose: r.dispose };
  },
};

describe.each(Object.keys(factories))('KeyValueStore contract: %s', (name) => {
  const clock = createManualClock();
  let store: KeyValueStore;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await factories[name]!(clock));
  });
  afterAll(() => dispose());

  it('sets, gets and deletes', async () => {
    expect(await store.get('a')).toBeNull();
    await store.set('a', 'one');
    expect(await store.get('a')).toBe('one');
    await store.set('a', 'two');
    expect(await store.get('a')).toBe('two');
    await store.delete('a');
    expect(await store.get('a')).toBeNull();
  });

  it('expires by the injected clock', async () => {
    await store.set('t', 'v', 1000);
    expect(await store.expiresAt('t')).toBe(clock.now() + 1000);
    clock.advance(999);
    expect(await store.get('t')).toBe('v');
    clock.advance(1);
    expect(await store.get('t')).toBeNull();
    expect(await store.expiresAt('t')).toBeNull();
  });

  it('setIfAbsent only wins once, and again after expiry', async () => {
    expect(await store.setIfAbsent('once', 'first', 500)).toBe(true);
    expect(await store.setIfAbsent('once', 'second', 500)).toBe(false);
    expect(await store.get('once')).toBe('first');
    clock.advance(500);
    expect(await store.setIfAbsent('once', 'third', 500)).toBe(true);
    expect(await store.get('once')).toBe('third');
  });

  it('increments in a fixed window', async () => {
    expect(await store.increment('c', 1000)).toBe(1);
    clock.advance(600);
    expect(await store.increment('c', 1000)).toBe(2);
    expect(await store.expiresAt('c')).toBe(clock.now() + 400);
    clock.advance(400);
    expect(await store.increment('c', 1000)).toBe(1);
  });

  it('gives back with a negative step, keeping the window', async () => {
    expect(await store.increment('refund', 1000)).toBe(1);
    expect(await store.increment('refund', 1000)).toBe(2);
    expect(await store.increment('refund', 1000, -1)).toBe(1);
    expect(await store.expiresAt('refund')).toBe(clock.now() + 1000);
    // A counter reads back as the integer's text on every store.
    expect(await store.get('refund')).toBe('1');
  });

  it('keeps concurrent increments exact', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, () => store.increment('race', 60_000)));
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});
