import type { ChatNamespace, ChatSocket } from './namespace.js';
import { interceptRestoreSession, writeEventNow } from './socketio-internals.js';

/**
 * Socket.IO replays the packets a recovered socket missed the moment it rebuilds the socket, before
 * any middleware runs: a client whose credential was revoked meanwhile would still receive them on
 * the wire. This holds them back until the handshake has passed the guard again.
 */
export function holdMissedPackets(chat: ChatNamespace): { release(socket: ChatSocket): void; discard(socket: ChatSocket): void } {
  const held = new Map<string, unknown[][]>();
  interceptRestoreSession(chat.adapter, (session) => {
    if (session.missedPackets.length === 0) return;
    held.set(session.sid, session.missedPackets);
    session.missedPackets = [];
  });
  return {
    release(socket) {
      const packets = held.get(socket.id);
      if (!packets) return;
      held.delete(socket.id);
      // Sent before CONNECT: the client buffers them and delivers them right after it connects, in order.
      for (const data of packets) writeEventNow(socket, data);
    },
    discard(socket) {
      held.delete(socket.id);
    },
  };
}
