import type { Clock, Config, IdSource, Logger } from '../core/index.js';
import { createHousekeeping, sweepSqlKeyValueStore, type DatabaseHandle, type Housekeeping, type HousekeepingTask } from '../storage/index.js';
import type { SessionManager } from '../sessions/index.js';
import type { TokenService } from '../tokens/index.js';
import { sweepOauthModels } from '../oauth/index.js';
import { sweepMessages } from '../realtime/index.js';

export interface NodeHousekeepingDeps {
  config: Config;
  database: DatabaseHandle;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  sessions: SessionManager;
  tokens: TokenService;
}

/**
 * What a node's housekeeping sweeps, in one list: each area says which of its rows are dead, the
 * storage schedule decides when and which node (see storage/housekeeping.ts). Not started here: the
 * composition root starts it and stops it on close.
 */
export function createNodeHousekeeping(deps: NodeHousekeepingDeps): Housekeeping {
  const { config, clock } = deps;
  const db = deps.database.db;
  const tasks: HousekeepingTask[] = [
    { name: 'sessions', sweep: (limit) => deps.sessions.sweep(limit) },
    { name: 'kv', sweep: (limit) => sweepSqlKeyValueStore(db, clock, limit) },
    { name: 'refresh-families', sweep: (limit) => deps.tokens.refreshTokens.sweep(limit) },
    { name: 'oauth', sweep: (limit) => sweepOauthModels(db, clock, limit) },
  ];
  const retentionMs = config.realtime.historyRetentionSec * 1000;
  if (retentionMs > 0) tasks.push({ name: 'realtime-history', sweep: (limit) => sweepMessages(db, clock.now() - retentionMs, limit) });
  return createHousekeeping({
    db,
    clock,
    // Unique per process, so two nodes started with the same (or no) node id still tell their leases apart.
    holder: `${config.server.nodeId ?? 'node'}:${deps.ids.token(9)}`,
    tasks,
    intervalMs: config.housekeeping.intervalSec * 1000,
    batchSize: config.housekeeping.batchSize,
    maxBatchesPerRun: config.housekeeping.maxBatchesPerRun,
    onError: (error, task) => deps.logger.warn({ err: error, task }, 'housekeeping failed'),
    onRun: (report) => {
      if (Object.values(report.deleted).some((n) => n > 0)) deps.logger.info({ deleted: report.deleted }, 'housekeeping deleted expired rows');
    },
  });
}
