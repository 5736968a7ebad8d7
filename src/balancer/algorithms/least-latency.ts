import type { Algorithm, Backend } from '../types.js';
import { lowestScore } from './lowest-score.js';

/**
 * Lowest latency EWMA times requests in flight (the "peak EWMA" idea from Finagle/Linkerd): a fast
 * backend that is already busy stops looking fast. Backends not yet measured (EWMA 0) are tried first
 * so each gets a sample.
 */
export function leastLatency(): Algorithm {
  return lowestScore('least-latency', score);
}

function score(backend: Backend): number {
  if (backend.effectiveWeight <= 0) return Infinity;
  return (backend.latencyMs * (backend.activeConnections + 1)) / backend.effectiveWeight;
}
