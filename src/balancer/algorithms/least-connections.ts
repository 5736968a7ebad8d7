import type { Algorithm, Backend } from '../types.js';
import { lowestScore } from './lowest-score.js';

/**
 * Fewest requests in flight relative to weight (HAProxy's leastconn, nginx's least_conn). Ties go
 * round robin so idle backends share the first requests instead of the first one taking them all.
 */
export function leastConnections(): Algorithm {
  return lowestScore('least-connections', load);
}

function load(backend: Backend): number {
  return backend.effectiveWeight > 0 ? backend.activeConnections / backend.effectiveWeight : Infinity;
}
