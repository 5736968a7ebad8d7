// balancer/: gatehouse's own L4/L7 load balancer — backend pools, the algorithms, health checks, the
// HTTP/WebSocket proxy, the admin API and config. Standalone: it imports core/ only.
export { ALGORITHMS } from './algorithms/index.js';
export { ALGORITHM_NAMES } from './types.js';
export type { Algorithm, AlgorithmName, AlgorithmOptions, Backend, BackendSpec, BackendState, PickContext } from './types.js';
export { backendId, createPool, isAlgorithmName, validateSpec } from './pool.js';
export type { Pool, PoolOptions } from './pool.js';
export { hash32 } from './hash.js';
