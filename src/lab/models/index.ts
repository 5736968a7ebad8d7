// The four I/O models, each serving the same closed-loop workload over FIFOs to the slow server.
import type { ModelName } from './catalog.js';
import { prepareAsyncBlocking } from './async-blocking.js';
import { prepareAsyncNonBlocking } from './async-nonblocking.js';
import type { PrepareModel } from './prepared.js';
import { prepareSyncBlocking } from './sync-blocking.js';
import { prepareSyncNonBlocking } from './sync-nonblocking.js';

export { MODEL_NAMES, MODELS } from './catalog.js';
export type { ModelInfo, ModelName } from './catalog.js';
export { fifoPaths, LineBuffer, Workload } from './wire.js';
export type { ModelCounters, ModelRunConfig } from './wire.js';
export type { PreparedModel } from './prepared.js';

export const PREPARE: Record<ModelName, PrepareModel> = {
  'sync-blocking': prepareSyncBlocking,
  'sync-nonblocking': prepareSyncNonBlocking,
  'async-blocking': prepareAsyncBlocking,
  'async-nonblocking': prepareAsyncNonBlocking,
};
