import { fork, type ChildProcess } from 'node:child_process';
import type { Clock } from '../core/index.js';

export type NodeState = 'starting' | 'up' | 'restarting' | 'stopped';


export interface SupervisedNode {
  id: string;
  port: number;
  pid: number | null;
  state: NodeState;
  restarts: number;
}

export interface SupervisorEvent {
  type: 'started' | 'exited' | 'restarting' | 'stopped';
  node: SupervisedNode;
  code?: number | null;
  signal?: string | null;
}

export interface SupervisorOptions {
  count: number;
  basePort: number;
  /** The script each node runs (the CLI entry) and its arguments. */
  exec: string;
  args: string[];
  execArgv: string[];
  /** Environment for every node; PORT and GATEHOUSE_NODE_ID are added per node. */
  env: NodeJS.ProcessEnv;
  clock: Clock;
  onEvent?: (event: SupervisorEvent) => void;
  /** Called for each child as it starts and stops (the Socket.IO IPC relay tracks them). */
  onChild?: (child: ChildProcess, alive: boolean) => void;
  /** Longest pause between restarts of a node that keeps crashing (ms). */
  maxBackoffMs?: number;
}

export interface Supervisor {
  nodes: SupervisedNode[];
  /** Asks every node to stop (SIGTERM) and waits for them, killing stragglers after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs N app nodes as child processes with an IPC channel (the Socket.IO cluster adapter talks over
 * it, relayed by the caller) and restarts a node that dies, with a growing pause so a node that cannot
 * start does not spin. Each node listens on its own port: the kernel hands it its connections directly.
 */
export function superviseNodes(options: SupervisorOptions): Supervisor {
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const nodes: SupervisedNode[] = Array.from({ length: options.count }, (_, i) => ({
    id: `node-${i + 1}`,
    port: options.basePort + i,
    pid: null,
    state: 'starting',
    restarts: 0,
  }));
  const children = new Map<SupervisedNode, ChildProcess>();
  let stopping = false;

  const start = (node: SupervisedNode): void => {
    const child = fork(options.exec, options.args, {
      env: { ...options.env, PORT: String(node.port), GATEHOUSE_NODE_ID: node.id },
      execArgv: options.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.set(node, child);
    options.onChild?.(child, true);
    node.pid = child.pid ?? null;
    node.state = 'starting';
    const startedAt = options.clock.now();
    options.onEvent?.({ type: 'started', node });
    child.once('exit', (code, signal) => {
      children.delete(node);
      options.onChild?.(child, false);
      node.pid = null;
      if (stopping) {
        node.state = 'stopped';
        options.onEvent?.({ type: 'stopped', node, code, signal });
        return;
      }
      options.onEvent?.({ type: 'exited', node, code, signal });
      // A node that ran for a while restarts at once; one that keeps dying waits longer each time.
      const ranFor = options.clock.now() - startedAt;
      if (ranFor > 60_000) node.restarts = 0;
      const delay = Math.min(maxBackoff, ranFor > 60_000 ? 0 : 500 * 2 ** node.restarts);
      node.restarts += 1;
      node.state = 'restarting';
      options.onEvent?.({ type: 'restarting', node });
      options.clock.setTimer(delay, () => {
        if (!stopping) start(node);
      });
    });
  };
  for (const node of nodes) start(node);

  return {
    nodes,
    async stop(graceMs = 10_000) {
      stopping = true;
      const exits = [...children.entries()].map(
        ([node, child]) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              node.state = 'stopped';
              resolve();
            });
            child.kill('SIGTERM');
          }),
      );
      await Promise.all(exits);
    },
  };
}
