import type { Namespace, Socket } from 'socket.io';
import { writeEventNow } from './socketio-internals.js';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './types.js';

export type ChatNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The contract's namespace and path (docs/architecture.md, "Socket.IO"). */
export const CHAT_NAMESPACE = '/chat';
export const SOCKET_PATH = '/socket.io';

/** Internal room keys. Client room names never contain ':', so they can never name one of these. */
export const rooms = {
  chat: (name: string) => `room:${name}`,
  user: (userId: string) => `user:${userId}`,
  direct: (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`),
};

/** The public names of the chat rooms a socket is in. */
export function chatRoomsOf(socket: ChatSocket): string[] {
  const out: string[] = [];
  for (const room of socket.rooms) if (room.startsWith('room:')) out.push(room.slice(5));
  return out;
}

/**
 * Writes one event straight to the socket's connection. `socket.emit` goes through the adapter when
 * connection-state recovery is on (so the packet can be replayed), which on Redis Streams is a round
 * trip: a disconnect right after it would overtake it. A last word before closing must not be.
 */
export function sendNow(socket: ChatSocket, event: string, payload: unknown): void {
  writeEventNow(socket, [event, payload]);
}
