import type { ChatSocket } from './namespace.js';
import { engineConnection, queuedPackets, type EngineConnection } from './socketio-internals.js';

/**
 * A client that stops reading (or a long-polling client that stops polling) makes engine.io queue
 * every packet for it. Past `maxPackets` queued, the connection is dropped with its queue discarded,
 * so one slow consumer cannot grow the node's memory without bound. The drop is a recoverable
 * disconnect: a client back within the recovery window gets what it missed, or reads history.
 */
export function createOutboundGuard(maxPackets: number, onOverflow: (queued: number) => void): (socket: ChatSocket) => void {
  // One listener function shared by every connection (engine.io calls it with `this` = the connection).
  function check(this: EngineConnection) {
    const queued = queuedPackets(this);
    if (queued <= maxPackets) return;
    this.off('packetCreate', check);
    onOverflow(queued);
    this.close(true);
  }
  return (socket) => {
    const conn = engineConnection(socket);
    conn.off('packetCreate', check); // several namespaces may share one connection
    conn.on('packetCreate', check);
  };
}
