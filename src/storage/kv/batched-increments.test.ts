// One turn's increments to a counter made as one write, proven on real SQLite files: every caller sees
// what one-after-another increments would have shown it, nothing is lost between two nodes, a turn that
// nets to zero writes nothing, and a store failure reaches every caller of the batch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../core/index.js';
import { createSqliteTwins } from '../../../test/support/services.js';
import type { DatabaseHandle } from '../database.js';
import { batchIncrements } from './batched-increments.js';
import type { KeyValueStore } from './contract.js';
import { createSqlKeyValueStore } from './sql.js';

const WINDOW = 60_000;

describe('batched increments', () => {
  let node: DatabaseHandle;
  let other: DatabaseHandle;
  let dispose: () => Promise<void>;
  let clock: ManualClock;
  let inner: KeyValueStore;
  let writes: number;
  let store: KeyValueStore;

  beforeEach(async () => {
    ({ node, other, dispose } = await createSqliteTwins());
    clock = createManualClock();
    const sql = createSqlKeyValueStore(node.db, clock);
    writes = 0;
    inner = {
      ...sql,
      increment: (key, ttlMs, by) => {
        writes += 1;
        return sql.increment(key, ttlMs, by);
      },
    };
    store = batchIncrements(inner);
  });
  afterEach(() => dispose());

  it('makes one write of a turn’s increments and answers each caller in the order asked', async () => {
    expect(await Promise.all(Array.from({ length: 10 }, () => store.increment('c', WINDOW)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(writes).toBe(1);
    expect(await Promise.all([store.increment('c', WINDOW, -1), store.increment('c', WINDOW, 3), store.increment('d', WINDOW)])).toEqual([9, 12, 1]);
    expect(writes).toBe(3);
    expect(await store.get('c')).toBe('12');
  });

  it('reads instead of writing when a turn nets to zero, and still answers each caller', async () => {
    await store.increment('c', WINDOW, 5);
    const before = writes;
    expect(await Promise.all([store.increment('c', WINDOW), store.increment('c', WINDOW, -1), store.increment('c', WINDOW, -1), store.increment('c', WINDOW)])).toEqual([6, 5, 4, 5]);
    expect(writes).toBe(before);
    expect(await store.get('c')).toBe('5');
  });

  it('keeps the fixed window: an expired counter starts again from the batch', async () => {
    await store.increment('c', WINDOW, 7);
    clock.advance(WINDOW);
    expect(await Promise.all([store.increment('c', WINDOW), store.increment('c', WINDOW)])).toEqual([1, 2]);
    expect(await store.expiresAt('c')).toBe(clock.now() + WINDOW);
  });

  it('loses nothing between two nodes counting at once on one file', async () => {
    const twin = batchIncrements(createSqlKeyValueStore(other.db, clock));
    const seen = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? store : twin).increment('shared', WINDOW)));
    // Every value from 1 to 40 handed out exactly once: no two callers were told the same count.
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await store.get('shared')).toBe('40');
  });

  it('fails every caller of a batch whose write fails, and the next turn writes again', async () => {
    let broken = true;
    const flaky = batchIncrements({
      ...inner,
      increment: (key, ttlMs, by) => (broken ? Promise.reject(new Error('SQLITE_BUSY')) : inner.increment(key, ttlMs, by)),
    });
    const results = await Promise.allSettled([flaky.increment('f', WINDOW), flaky.increment('f', WINDOW)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    broken = false;
    expect(await flaky.increment('f', WINDOW)).toBe(1);
  });
});
