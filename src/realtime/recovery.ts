import type { ChatNamespace, ChatSocket } from './namespace.js';

type Session = { sid: string; missedPackets: unknown[][] };
type RestoreSession = (pid: string, offset: string) => Promise<Session | null>;

/**
 * Socket.IO replays the packets a recovered socket missed the moment it rebuilds the socket, before
 * any middleware runs: a client whose credential was revoked meanwhile would still receive them on
 * the wire. This holds them back until the handshake has passed the guard again.
 */
export function holdMissedPackets(chat: ChatNamespace): { release(socket: ChatSocket): void; discard(socket: ChatSocket): void } {
  const held = new Map<string, unknown[][]>();
  const adapter = chat.adapter as unknown as { restoreSession: RestoreSession };
  const original = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    const session = await original(pid, offset);
    if (session && session.missedPackets.length > 0) {
      held.set(session.sid, session.missedPackets);
      session.missedPackets = [];
    }
    return session;
  };
  type PacketArg = Parameters<ChatSocket['client']['_packet']>[0];
  return {
    release(socket) {
      const packets = held.get(socket.id);
      if (!packets) return;
      held.delete(socket.id);
      // Same as Socket#packet (private): an EVENT packet (type 2) on this namespace, sent before CONNECT,
      // which the client buffers and delivers right after it connects, in order.
      for (const data of packets) socket.client._packet({ type: 2, nsp: socket.nsp.name, data } as unknown as PacketArg, {});
    },
    discard(socket) {
      held.delete(socket.id);
    },
  };
}
