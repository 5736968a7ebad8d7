import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Clock } from '../core/index.js';
import type { Database } from './schema/index.js';

/**
 * The one schedule that reclaims dead rows: expired sessions, key-value entries, refresh families,
 * OAuth records, old chat history. Reads already ignore expired rows, so nothing here is needed for
 * correctness — only for the tables not to grow forever. Each area says *what* is dead (a task); this
 * module says *when*, *how much at a time* and *which node* does it.
 *
 * Several nodes share one database, so a lease row in `kv_entries` (always the SQL table: the database
 * is what every node of a deployment shares, with or without Redis) lets one node sweep at a time. The
 * holder renews it on each run; when it stops it hands the lease back, and when it dies the lease runs
 * out and another node takes over.
 */
export interface HousekeepingTask {
  /** What it sweeps, for the run report and logs. */
  name: string;
  /** Deletes at most `limit` dead rows in one statement; returns how many it deleted. */
  sweep(limit: number): Promise<number>;
}

export interface HousekeepingOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** Unique per process: whoever holds the lease. */
  holder: string;
  tasks: HousekeepingTask[];
  intervalMs: number;
  /** Rows one statement deletes at most: a batch never holds a lock or the event loop for long. */
  batchSize: number;
  /** Batches one task runs per run at most; what is left waits for the next run. */
  maxBatchesPerRun: number;
  onError?: (error: unknown, task: string) => void;
  /** After each run this node made (holding the lease). */
  onRun?: (report: HousekeepingReport) => void;
}

export interface HousekeepingReport {
  /** Rows deleted, per task name. */
  deleted: Record<string, number>;
}

export interface Housekeeping {
  /** One run now when this node holds (or can take) the lease; null when another node holds it. */
  runOnce(): Promise<HousekeepingReport | null>;
  /** Runs every `intervalMs` from now on. */
  start(): void;
  /** Cancels the schedule, waits for a run under way, and hands the lease back. */
  stop(): Promise<void>;
}

export const HOUSEKEEPING_LEASE_KEY = 'housekeeping:lease';

export function createHousekeeping(options: HousekeepingOptions): Housekeeping {
  const { db, clock, holder, tasks, intervalMs, batchSize, maxBatchesPerRun } = options;
  // Longer than two intervals: a live holder always renews before it runs out.
  const leaseMs = intervalMs * 2 + 60_000;
  let cancel: (() => void) | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;

  const takeLease = async (): Promise<boolean> => {
    const now = clock.now();
    const expires_at = now + leaseMs;
    const result = await db
      .insertInto('kv_entries')
      .values({ key: HOUSEKEEPING_LEASE_KEY, value: holder, expires_at })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ value: holder, expires_at })
          .where(sql<boolean>`kv_entries.value = ${holder} or (kv_entries.expires_at is not null and kv_entries.expires_at <= ${now})`),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  };

  const runOnce = async (): Promise<HousekeepingReport | null> => {
    if (!(await takeLease())) return null;
    const deleted: Record<string, number> = {};
    for (const task of tasks) {
      let total = 0;
      try {
        for (let batch = 0; batch < maxBatchesPerRun && !stopped; batch++) {
          const n = await task.sweep(batchSize);
          total += n;
          if (n < batchSize) break;
          // Let requests in between batches.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        // One failing task (a store down) does not keep the others from running.
        options.onError?.(error, task.name);
      }
      deleted[task.name] = total;
    }
    return { deleted };
  };

  const schedule = (): void => {
    cancel = clock.setTimer(intervalMs, () => {
      if (stopped) return;
      running = runOnce()
        .then((report) => report && options.onRun?.(report))
        .catch((error: unknown) => options.onError?.(error, 'lease'))
        .finally(() => {
          running = null;
          if (!stopped) schedule();
        });
    });
  };

  return {
    runOnce,
    start() {
      if (cancel || stopped) return;
      schedule();
    },
    async stop() {
      stopped = true;
      cancel?.();
      cancel = null;
      await running;
      await db
        .deleteFrom('kv_entries')
        .where('key', '=', HOUSEKEEPING_LEASE_KEY)
        .where('value', '=', holder)
        .execute()
        .catch((error: unknown) => options.onError?.(error, 'lease'));
    },
  };
}

/**
 * Deletes at most `limit` rows of `table` for which `dead` holds, picked by their primary key (`key`:
 * one column, or several for a composite key), in one statement that SQLite and PostgreSQL both run.
 * Returns how many it deleted.
 */
export async function deleteBatch(db: Kysely<Database>, spec: { table: keyof Database & string; key: string[]; dead: RawBuilder<boolean>; limit: number }): Promise<number> {
  const keys = sql.join(spec.key.map((k) => sql.ref(k)));
  const table = sql.table(spec.table);
  const result = await sql`delete from ${table} where (${keys}) in (select ${keys} from ${table} where ${spec.dead} limit ${spec.limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
