// Every member of Socket.IO, engine.io and socket.io-adapter that is not part of their public API and
// that gatehouse relies on is reached through this module, and nowhere else. Each use has a test in
// socketio-internals.test.ts that fails when the library changes it; package.json pins socket.io and
// socket.io-adapter to the minor versions those tests cover.
import type { Socket } from 'socket.io';
import { MessageType } from 'socket.io-adapter';

export { MessageType };

/** The tag @socket.io/cluster-adapter puts on its IPC messages (its MESSAGE_SOURCE, not exported). */
export const CLUSTER_MESSAGE_SOURCE = '_sio_adapter';

/** Socket.IO's EVENT packet type (socket.io-parser PacketType.EVENT). */
const EVENT_PACKET = 2;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any socket, whatever its event maps
type AnySocket = Socket<any, any, any, any>;

/**
 * Writes one EVENT packet straight to the socket's connection (Client#_packet, private): what
 * Socket#emit does without going through the adapter, so nothing can overtake it (a last word before
 * closing) and nothing is stored for replay. Sent before the namespace CONNECT, the client buffers it
 * and delivers it right after connecting.
 */
export function writeEventNow(socket: AnySocket, data: unknown[]): void {
  socket.client._packet({ type: EVENT_PACKET, nsp: socket.nsp.name, data }, {});
}

/**
 * Closes a socket the way a lost transport does (Socket#_onclose, private), with `reason`: unlike
 * disconnect(), a recoverable reason such as "server shutting down" lets the client reconnect and
 * recover its session elsewhere.
 */
export function closeAsTransportLoss(socket: AnySocket, reason: 'server shutting down' | 'transport close'): void {
  socket._onclose(reason);
}

/** What the outbound guard needs of an engine.io connection: its queue (Socket#writeBuffer, private) and its packetCreate event. */
export interface EngineConnection {
  writeBuffer: unknown[];
  on(event: 'packetCreate', listener: () => void): unknown;
  off(event: 'packetCreate', listener: () => void): unknown;
  close(discard?: boolean): void;
}

export function engineConnection(socket: AnySocket): EngineConnection {
  return socket.conn as unknown as EngineConnection;
}

/** Packets engine.io holds for a connection that the transport has not taken yet. */
export function queuedPackets(connection: EngineConnection): number {
  return connection.writeBuffer.length;
}

export interface RecoveredSession {
  sid: string;
  missedPackets: unknown[][];
}

/**
 * Puts `after` behind the adapter's restoreSession (which Socket.IO calls, before any middleware, to
 * rebuild a recovered socket and replay what it missed): `after` sees the restored session first.
 */
export function interceptRestoreSession(adapter: unknown, after: (session: RecoveredSession) => void): void {
  const target = adapter as { restoreSession: (pid: string, offset: string) => Promise<RecoveredSession | null> };
  const original = target.restoreSession.bind(target);
  target.restoreSession = async (pid, offset) => {
    const session = await original(pid, offset);
    if (session) after(session);
    return session;
  };
}

/**
 * A cross-node request waiting for answers, as socket.io-adapter keeps it: ClusterAdapter counts
 * answers (`expected`/`current`), ClusterAdapterWithHeartbeat names the nodes still to answer
 * (`missingUids`). `resolve` is the promise's (fetchSockets) or the ack (serverSideEmit: error, responses).
 */
export interface PendingRequest {
  type: MessageType;
  timeout: ReturnType<typeof setTimeout>;
  responses: unknown[];
  resolve: (...args: unknown[]) => void;
  missingUids?: Set<string>;
}

/** The private parts of socket.io-adapter's cluster adapters that cross-node.ts works on. */
export interface ClusterAdapterInternals {
  /** This adapter's node id in the cluster. */
  uid: string;
  /** ClusterAdapter's request book (counted answers); ClusterAdapterWithHeartbeat keeps its own in customRequests. */
  requests?: Map<string, PendingRequest>;
  customRequests?: Map<string, PendingRequest>;
  /** ClusterAdapterWithHeartbeat: node uid → when it was last heard from (ms). */
  nodesMap?: Map<string, number>;
  /** Called with every message from another node (protected). */
  onMessage(message: { uid?: string; type?: number }, offset?: string): void;
}

/** The adapter's internals, or null for an adapter that is not a cluster adapter (in-memory). */
export function clusterAdapterInternals(adapter: unknown): ClusterAdapterInternals | null {
  const candidate = adapter as Partial<ClusterAdapterInternals> | null;
  if (!candidate || typeof candidate.uid !== 'string' || typeof candidate.onMessage !== 'function') return null;
  return candidate as ClusterAdapterInternals;
}
