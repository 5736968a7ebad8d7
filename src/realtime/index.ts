// realtime/: authenticated Socket.IO chat — the handshake passes the same guard as HTTP, credentials are
// watched on live sockets, rooms / presence / direct messages / history, and the adapter that carries
// them across nodes (in-memory, cluster IPC, Redis Streams).
export { createRealtime, DEFAULT_LIMITS, RECOVERY_WINDOW_MS } from './realtime.js';
export { CLUSTER_ENV, createClusterRelay, resolveAdapterKind, setupClusterPrimary } from './adapter.js';
export { CHAT_NAMESPACE, SOCKET_PATH } from './namespace.js';
export { sweepMessages } from './message-store.js';
export type {
  AckError,
  AdapterKind,
  ChatMessage,
  ChatServer,
  ChatUser,
  ClientToServerEvents,
  DirectMessage,
  Realtime,
  RealtimeDeps,
  RealtimeLimits,
  ServerToClientEvents,
  SocketData,
} from './types.js';
