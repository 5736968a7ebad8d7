import type { Server as HttpServer } from 'node:http';
import type { Kysely } from 'kysely';
import type { Server } from 'socket.io';
import type { Authenticate, ChatUser, ClientToServerEvents, Clock, Config, CredentialKind, IdSource, Logger, Principal, ServerToClientEvents } from '../core/index.js';
import type { Database, RedisClient } from '../storage/index.js';
import type { CrossNodeStats } from './cross-node.js';

export type AdapterKind = 'memory' | 'cluster' | 'redis';

// The events the browser shares live in core (chat-events.ts), which web/ imports.
export type { AckError, ChatMessage, ChatUser, ClientToServerEvents, DirectMessage, ServerToClientEvents } from '../core/index.js';

export interface InterServerEvents {
  /** Ends the sockets one credential authenticated, on the receiving node. */
  'gh:end-credential': (kind: string, credentialId: string, reason?: string) => void;
  /** Ends every socket of a user on the receiving node except those of one credential. */
  'gh:end-user-except': (userId: string, exceptKind: string, exceptId: string, reason?: string) => void;
  /** Asks the receiving node which of its users are in a chat room (presence). */
  'gh:presence': (room: string, answer: (users: ChatUser[]) => void) => void;
}

/**
 * What a socket carries between nodes (fetchSockets) and across a connection-state recovery: plain
 * JSON, no secrets. Timers and rate state live in node-local maps instead.
 */
export interface SocketData {
  user: ChatUser;
  userId: string;
  roles: string[];
  /** `idleExpiresAt`: a server session's idle end, when the socket checks the session again. */
  credential: { kind: CredentialKind; id: string | null; expiresAt: number | null; idleExpiresAt?: number; readOnly?: boolean };
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface Realtime {
  io: ChatServer;
  /** Disconnects sockets on EVERY node: all of a user's, or those authenticated by one credential. */
  disconnectUser(userId: string, reason?: string, except?: { kind: CredentialKind; id: string | null }): Promise<void>;
  disconnectCredential(kind: CredentialKind, credentialId: string, reason?: string): Promise<void>;
  /** Admin broadcast to everyone on every node. */
  broadcast(text: string, from: Principal): Promise<void>;
  /** Live sockets and chat rooms on this node, and what its cross-node requests cost. */
  stats(): { sockets: number; rooms: number; crossNode: CrossNodeStats };
  close(): Promise<void>;
}

/** Limits not in the config schema; defaults suit production, tests and benches narrow or widen them. */
export interface RealtimeLimits {
  /** Packets queued for one socket before it counts as a slow consumer and is disconnected. */
  maxBufferedPackets: number;
  /** Chat rooms one socket may be in at once. */
  maxRoomsPerSocket: number;
  /** How long a direct message waits for the recipients' delivery acks (ms). */
  directAckTimeoutMs: number;
  /** Largest history page. */
  maxHistoryPage: number;
}

export interface RealtimeDeps {
  httpServer: HttpServer;
  /** The SAME guard HTTP uses (http/ builds it from the credential resolvers). */
  authenticate: Authenticate;
  /** Allowed handshake origin(s), comma-separated; the first is the base of handshake URLs. */
  origin: string;
  db: Kysely<Database>;
  redis: RedisClient | null;
  clock: Clock;
  ids: IdSource;
  config: Config;
  logger: Logger;
  /** Default from config.realtime.adapter ('auto'). */
  adapter?: AdapterKind;
  limits?: Partial<RealtimeLimits>;
}
