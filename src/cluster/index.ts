// cluster/: `gatehouse up` — supervises N app nodes and the balancer on one machine, restarting a node
// that crashes, relaying Socket.IO between the nodes, and stopping everything cleanly.
export { startCluster } from './up.js';
export type { ClusterOptions, RunningCluster } from './up.js';
export { superviseNodes } from './supervisor.js';
export type { NodeState, SupervisedNode, Supervisor, SupervisorEvent } from './supervisor.js';
