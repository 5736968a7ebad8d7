// The load-balancing algorithms, one small module each behind the Algorithm interface; ALGORITHMS maps
// the names fixed by the CLI contract to their factories.
import type { Algorithm, AlgorithmName, AlgorithmOptions } from '../types.js';
import { consistentHash } from './consistent-hash.js';
import { ipHash } from './ip-hash.js';
import { leastConnections } from './least-connections.js';
import { leastLatency } from './least-latency.js';
import { randomTwo } from './random-two.js';
import { roundRobin } from './round-robin.js';
import { weightedRoundRobin } from './weighted-round-robin.js';

export const ALGORITHMS: Readonly<Record<AlgorithmName, (options?: AlgorithmOptions) => Algorithm>> = {
  'round-robin': roundRobin,
  'weighted-round-robin': weightedRoundRobin,
  'least-connections': leastConnections,
  'ip-hash': ipHash,
  'consistent-hash': consistentHash,
  'random-two': randomTwo,
  'least-latency': leastLatency,
};

export { consistentHash, ipHash, leastConnections, leastLatency, randomTwo, roundRobin, weightedRoundRobin };
