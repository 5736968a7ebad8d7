import type { ChatSocket } from './namespace.js';

interface EngineConnection {
  writeBuffer: unknown[];
  on(event: 'packetCreate', listener: () => void): unknown;
  off(event: 'packetCreate', listener: () => void): unknown;
  close(discard?: boolean): void;
}

/**
 * A client that stops reading (or a long-polling client that stops polling) makes engine.io queue
 * every packet for it. Past `maxPackets` queued, the connection is dropped with its queue discarded,
 * so one slow consumer cannot grow the node's memory without bound. The drop is a recoverable
 * disconnect: a client back within the recovery window gets what it missed, or reads history.
 */
export function guardOutbound(socket: ChatSocket, maxPackets: number, onOverflow: (queued: number) => void): void {
  const conn = socket.conn as unknown as EngineConnection;
  const check = () => {
    const queued = conn.writeBuffer.length;
    if (queued <= maxPackets) return;
    conn.off('packetCreate', check);
    onOverflow(queued);
    conn.close(true);
  };
  conn.on('packetCreate', check);
  socket.once('disconnect', () => conn.off('packetCreate', check));
}
