// A chat node for realtime tests before (and besides) the full app: a plain node:http server, the real
// createRealtime, and a guard built from in-test tables of sessions and bearer tokens, so tests can
// revoke or expire a credential exactly when they want.
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Socket as NetSocket } from 'node:net';
import { io as connectClient, type Socket as ClientSocket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import {
  GatehouseError,
  cryptoIds,
  loadConfig,
  silentLogger,
  type Authenticate,
  type Clock,
  type Config,
  type DeepPartial,
  type Principal,
} from '../../src/core/index.js';
import type { Database, RedisClient } from '../../src/storage/index.js';
import type { Kysely } from 'kysely';
import { createRealtime, type AdapterKind, type Realtime, type RealtimeLimits } from '../../src/realtime/index.js';

export const SESSION_COOKIE = '__Host-gh.sid';

/** What the in-test guard knows: session ids and bearer tokens, each mapped to a principal. */
export interface CredentialTable {
  sessions: Map<string, Principal>;
  tokens: Map<string, Principal>;
  /** How many times the guard ran (handshakes and refreshes). */
  calls: number;
}

export function createCredentialTable(): CredentialTable {
  return { sessions: new Map(), tokens: new Map(), calls: 0 };
}

export function principal(userId: string, kind: Principal['credential']['kind'], credentialId: string, expiresAt: number | null, roles: string[] = []): Principal {
  return {
    userId,
    email: `${userId}@example.test`,
    name: userId.toUpperCase(),
    roles,
    credential: { kind, id: credentialId, expiresAt, scopes: [] },
  };
}

export function tableGuard(table: CredentialTable): Authenticate {
  return async (request) => {
    table.calls += 1;
    if (request.authorization?.startsWith('Bearer ')) {
      const found = table.tokens.get(request.authorization.slice(7));
      if (!found) throw new GatehouseError('GH_TOKEN_INVALID');
      return found;
    }
    const sid = request.cookies[SESSION_COOKIE];
    if (sid) {
      const found = table.sessions.get(sid);
      if (!found) throw new GatehouseError('GH_SESSION_INVALID');
      return found;
    }
    return null;
  };
}

export interface ChatNode {
  url: string;
  realtime: Realtime;
  httpServer: HttpServer;
  close(): Promise<void>;
}

export const TEST_ORIGIN = 'http://localhost:3000';

export async function startChatNode(options: {
  db: Kysely<Database>;
  clock: Clock;
  table: CredentialTable;
  redis?: RedisClient | null;
  adapter?: AdapterKind;
  config?: DeepPartial<Config>;
  limits?: Partial<RealtimeLimits>;
}): Promise<ChatNode> {
  const httpServer = createServer();
  const { config } = loadConfig(options.config ?? {});
  const realtime = await createRealtime({
    httpServer,
    authenticate: tableGuard(options.table),
    origin: TEST_ORIGIN,
    db: options.db,
    redis: options.redis ?? null,
    clock: options.clock,
    ids: cryptoIds,
    config,
    logger: silentLogger(),
    adapter: options.adapter ?? 'memory',
    ...(options.limits ? { limits: options.limits } : {}),
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    realtime,
    httpServer,
    async close() {
      await realtime.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

export type ChatClient = ClientSocket;

/** A real socket.io-client on /chat; does not connect until `connect()` (or `open()`). */
export function chatClient(
  url: string,
  credential: { token?: string; sessionId?: string },
  options: Partial<ManagerOptions & SocketOptions> = {},
): ChatClient {
  return connectClient(`${url}/chat`, {
    autoConnect: false,
    reconnection: false,
    forceNew: true,
    ...(credential.token ? { auth: { token: credential.token } } : {}),
    ...(credential.sessionId ? { extraHeaders: { cookie: `${SESSION_COOKIE}=${credential.sessionId}` } } : {}),
    ...options,
  });
}

const WAIT_MS = 15_000;

/** The next `event` on an emitter, or a rejection after a generous timeout (never a timed assertion). */
export function nextEvent<T = unknown>(socket: ClientSocket, event: string, timeoutMs = WAIT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (value: T) => {
      clearTimeout(timer);
      resolve(value);
    };
    socket.once(event, listener);
  });
}

/** The first `event` whose payload satisfies `match` (earlier ones, e.g. stale presence, are skipped). */
export function eventMatching<T = unknown>(socket: ClientSocket, event: string, match: (value: T) => boolean, timeoutMs = WAIT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`timed out waiting for a matching ${event}`));
    }, timeoutMs);
    const listener = (value: T) => {
      if (!match(value)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(value);
    };
    socket.on(event, listener);
  });
}

/** Connects and resolves once connected; rejects with the connect_error. */
export async function open(socket: ClientSocket): Promise<ClientSocket> {
  const outcome = new Promise<ClientSocket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
  socket.connect();
  return outcome;
}

/** Emits with an ack and a generous timeout. */
export function request<T = Record<string, unknown>>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<T> {
  return socket.timeout(WAIT_MS).emitWithAck(event, ...args) as Promise<T>;
}

/**
 * A TCP hop between a client and the node it reaches, standing in for the network and the balancer:
 * `cut()` drops every connection (the client's network goes away), `block()` refuses new ones until
 * `unblock()`, and `target` can move to another node (a balancer sending the reconnect elsewhere).
 */
export interface NetworkHop {
  url: string;
  target: string;
  cut(): void;
  block(): void;
  unblock(): void;
  close(): Promise<void>;
}

export async function createNetworkHop(targetUrl: string): Promise<NetworkHop> {
  const live = new Set<NetSocket>();
  let blocked = false;
  const hop = {
    url: '',
    target: targetUrl,
    cut() {
      for (const s of live) s.destroy();
      live.clear();
    },
    block() {
      blocked = true;
    },
    unblock() {
      blocked = false;
    },
    close: async () => {
      hop.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createTcpServer((downstream) => {
    if (blocked) return void downstream.destroy();
    const { hostname, port } = new URL(hop.target);
    const upstream = connect(Number(port), hostname);
    live.add(downstream).add(upstream);
    const drop = () => {
      downstream.destroy();
      upstream.destroy();
      live.delete(downstream);
      live.delete(upstream);
    };
    downstream.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  hop.url = `http://127.0.0.1:${port}`;
  return hop;
}
