/** Where an L4 connection or flow goes: a pool's Backend fits this shape as it is. */
export interface L4Target {
  id: string;
  host: string;
  port: number;
}

/** The client as the balancer sees it (after a PROXY header from a front balancer, the real one). */
export interface L4Client {
  address: string;
  port: number;
}

export interface ListenAddress {
  /** Default 0.0.0.0 for TCP; for UDP the host also picks udp4 or udp6. */
  host?: string;
  /** 0 = an ephemeral port (read it back from `.port`). */
  port: number;
}

/**
 * Chooses a backend for a new connection or flow; null = none may take it (the client is refused).
 * `tried` holds the ids whose connect already failed for this client, so a retry can move on.
 */
export type PickBackend<B extends L4Target> = (client: L4Client, attempt: { tried: ReadonlySet<string> }) => B | null;
