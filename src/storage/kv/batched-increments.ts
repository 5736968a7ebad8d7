import type { KeyValueStore } from './contract.js';

interface Pending {
  key: string;
  ttlMs: number;
  ops: { by: number; resolve: (value: number) => void; reject: (error: unknown) => void }[];
}

/**
 * The same store, with the increments of one turn of the event loop to one counter made as one write
 * (group commit): the sum is added atomically, and each caller gets the value it would have seen had the
 * increments been made one after another, in the order they were asked for. Nothing another node can
 * observe differs from those increments arriving together; a turn whose increments sum to zero (a
 * reservation taken and one given back, the common case under load) reads the counter instead of
 * writing it. Each increment waits for the end of its turn (setImmediate).
 *
 * What the login throttle counts through: on SQLite every reservation and every release was a write
 * (tens of µs of CPU each), and under concurrency most of them cancel out.
 */
export function batchIncrements(kv: KeyValueStore): KeyValueStore {
  let pending = new Map<string, Pending>();

  const settle = async (batch: Pending): Promise<void> => {
    const sum = batch.ops.reduce((total, op) => total + op.by, 0);
    try {
      let base: number;
      const current = sum === 0 ? Number.parseInt((await kv.get(batch.key)) ?? '0', 10) : Number.NaN;
      if (Number.isSafeInteger(current)) base = current;
      else base = (await kv.increment(batch.key, batch.ttlMs, sum)) - sum;
      let value = base;
      for (const op of batch.ops) op.resolve((value += op.by));
    } catch (error) {
      for (const op of batch.ops) op.reject(error);
    }
  };

  const flush = () => {
    const batches = [...pending.values()];
    pending = new Map();
    for (const batch of batches) void settle(batch);
  };

  return {
    get: (key) => kv.get(key),
    set: (key, value, ttlMs) => kv.set(key, value, ttlMs),
    setIfAbsent: (key, value, ttlMs) => kv.setIfAbsent(key, value, ttlMs),
    delete: (key) => kv.delete(key),
    expiresAt: (key) => kv.expiresAt(key),
    increment(key, ttlMs, by = 1) {
      const step = Math.trunc(by);
      if (pending.size === 0) setImmediate(flush);
      const id = `${ttlMs}\n${key}`;
      let batch = pending.get(id);
      if (!batch) {
        batch = { key, ttlMs, ops: [] };
        pending.set(id, batch);
      }
      const ops = batch.ops;
      return new Promise<number>((resolve, reject) => void ops.push({ by: step, resolve, reject }));
    },
  };
}
