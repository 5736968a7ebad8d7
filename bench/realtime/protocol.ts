// Messages between the realtime bench (bench/realtime.ts), its server processes and its client workers.

export type ServerKind = 'gatehouse' | 'plain';

export interface ServerReady {
  ready: number; // port
}

export interface MemorySample {
  mem: { rss: number; heapUsed: number; external: number; sockets: number };
}

/** Client worker → bench. */
export type WorkerReport =
  | { connected: number; failed: number; firstError?: string }
  | { joined: number }
  | { deliveries: number; firstAt: number; lastAt: number; latencies: number[]; stillConnected: number };

/** Bench → client worker. */
export interface WorkerCommand {
  command: 'connect' | 'join' | 'report' | 'exit';
  url?: string;
  count?: number;
  /** Sockets of this worker that join the fan-out room. */
  joiners?: number;
  /** Private JWK to sign one access token per socket (gatehouse); absent for plain socket.io. */
  privateJwk?: Record<string, unknown>;
  firstUser?: number;
}

export const FAN_ROOM = 'fanout';

/** Sub-millisecond wall time comparable between processes of one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
