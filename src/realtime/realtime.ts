import { Server, type ServerOptions } from 'socket.io';
import { GatehouseError, isGatehouseError, type CredentialKind, type Principal } from '../core/index.js';
import { isStorageFault, storageUnavailable } from '../storage/index.js';
import { adapterFor, resolveAdapterKind } from './adapter.js';
import { watchCrossNodeRequests } from './cross-node.js';
import { credentialsFromHandshake, originAllowed } from './handshake.js';
import { createDispatcher, type ChatContext } from './handlers.js';
import { BUCKET_MS, createCredentialWatch } from './lifecycle.js';
import { createMessageIds } from './message-id.js';
import { createSqlMessageStore } from './message-store.js';
import { CHAT_NAMESPACE, chatRoomsOf, rooms, sendNow, SOCKET_PATH, type ChatNamespace, type ChatSocket } from './namespace.js';
import { createOutboundGuard } from './outbound.js';
import { createPresence } from './presence.js';
import { holdMissedPackets } from './recovery.js';
import { closeAsTransportLoss } from './socketio-internals.js';
import type { ChatServer, Realtime, RealtimeDeps, RealtimeLimits } from './types.js';
import { checkThirdPartyScopes, isReadOnly } from './scopes.js';
import { createSocketCap, type SocketPlace } from './socket-cap.js';

export const DEFAULT_LIMITS: RealtimeLimits = {
  maxBufferedPackets: 1_000,
  maxRoomsPerSocket: 50,
  directAckTimeoutMs: 5_000,
  maxHistoryPage: 200,
};

/** Inter-node event: end the sockets of one credential. */
const END_CREDENTIAL = 'gh:end-credential';
const END_USER_EXCEPT = 'gh:end-user-except';

/** A session check that met a store outage is tried again this much later; the socket is kept meanwhile. */
const SESSION_RECHECK_AFTER_OUTAGE_MS = 5_000;

/** How long a dropped socket may come back and get what it missed (Socket.IO connection-state recovery). */
export const RECOVERY_WINDOW_MS = 2 * 60 * 1000;

function connectError(error: unknown): Error & { data: { error: string; message: string } } {
  // A store that is down is "retry soon" (the client reconnects), not "you are not signed in".
  const gh = isStorageFault(error) ? storageUnavailable(error) : isGatehouseError(error) ? error : new GatehouseError('GH_REALTIME_UNAUTHENTICATED');
  const refusal = new Error(gh.message) as Error & { data: { error: string; message: string } };
  refusal.data = { error: gh.code, message: gh.message };
  return refusal;
}

function cleanReason(reason: string | undefined): string | undefined {
  return reason === undefined ? undefined : reason.replace(/[^\w .:-]/g, '').slice(0, 64);
}

/**
 * Socket.IO on the API's HTTP server (path /socket.io, namespace /chat): every handshake passes the same
 * guard as HTTP, every live socket's credential is watched until it ends, and rooms, presence, direct
 * messages and forced disconnects reach every node through the adapter.
 */
export async function createRealtime(deps: RealtimeDeps): Promise<Realtime> {
  const { clock, config, logger } = deps;
  const limits: RealtimeLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const kind = resolveAdapterKind(deps.adapter, config, deps.redis);
  const origins = deps.origin.split(',').map((o) => o.trim()).filter(Boolean);
  const baseUrl = origins[0] ?? 'http://localhost';
  const adapter = adapterFor(kind, config, deps.redis);

  const options: Partial<ServerOptions> = {
    path: SOCKET_PATH,
    serveClient: false,
    cors: { origin: origins, credentials: true },
    // Room for the largest allowed message after JSON escaping (≤ 6 bytes per byte in the worst case,
    // \u00XX) and the envelope; anything bigger is cut off by engine.io before it is parsed.
    maxHttpBufferSize: Math.max(16_384, config.realtime.maxMessageBytes * 6 + 1_024),
    // The cluster adapter cannot replay missed packets (no offsets); there, clients catch up from history.
    ...(kind === 'cluster' ? {} : { connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false } }),
    ...(adapter ? { adapter: adapter as ServerOptions['adapter'] } : {}),
  };
  const io: ChatServer = new Server(deps.httpServer, options);

  // Nothing is served on the main namespace: a socket there would be unauthenticated and useless.
  io.use((_socket, next) => next(connectError(new GatehouseError('GH_CORE_NOT_FOUND'))));

  const chat: ChatNamespace = io.of(CHAT_NAMESPACE);
  const crossNode = watchCrossNodeRequests(chat.adapter, config.realtime.clusterRequestTimeoutMs);
  const store = createSqlMessageStore(deps.db);
  const messageIds = createMessageIds(clock, deps.ids);
  const presence = createPresence(chat, logger, { crossNode: kind !== 'memory' });
  const missed = holdMissedPackets(chat);

  const endSocket = (socket: ChatSocket, code: 'GH_REALTIME_CREDENTIAL_EXPIRED' | 'GH_REALTIME_REVOKED') => {
    const error = new GatehouseError(code);
    sendNow(socket, 'auth:ended', { error: code, message: error.message });
    socket.disconnect(true);
  };
  const watch = createCredentialWatch(clock, config.realtime.expiringNoticeSec * 1000, (socket) => {
    logger.info({ userId: socket.data.userId, kind: socket.data.credential.kind }, 'realtime: socket credential expired');
    endSocket(socket, 'GH_REALTIME_CREDENTIAL_EXPIRED');
  });
  // A bucket fires at the start of its second: one second of slack puts the check after the idle end.
  const idleEnd = (socket: ChatSocket) => (socket.data.credential?.idleExpiresAt === undefined ? null : socket.data.credential.idleExpiresAt + BUCKET_MS);
  const idleWatch = createCredentialWatch(clock, null, (socket) => void revalidateSession(socket, false), idleEnd);
  const cap = createSocketCap(config.realtime.maxSocketsPerUser);
  const places = new WeakMap<ChatSocket, SocketPlace>();

  /**
   * A socket signed in by a server session follows the session's idle end. When it comes, and when the
   * client sends events (at most once per `activityEveryMs`), the session is looked up again through
   * the guard: that slides its idle expiry exactly as an HTTP request does, so a chat in use keeps its
   * session, while a tab merely left open (transport pings are not events) does not. A session that is
   * gone ends the socket.
   */
  const revalidating = new WeakSet<ChatSocket>();
  const revalidateSession = async (socket: ChatSocket, activity: boolean) => {
    if (revalidating.has(socket) || socket.disconnected) return;
    revalidating.add(socket);
    const held = socket.data.credential;
    try {
      // At the idle end the server only looks: the look itself must not keep the session alive.
      const principal = await authenticateSocket(socket, undefined, !activity);
      if (socket.disconnected) return;
      if (principal && principal.userId === socket.data.userId && principal.credential.kind === held.kind && principal.credential.id === held.id) {
        ctx.applyPrincipal(socket, principal);
        return;
      }
    } catch (error) {
      if (socket.disconnected) return;
      if (isStorageFault(error) || (isGatehouseError(error) && error.statusCode === 503)) {
        // An outage is no proof the session ended: keep the socket and look again shortly.
        socket.data.credential = { ...held, idleExpiresAt: clock.now() + SESSION_RECHECK_AFTER_OUTAGE_MS };
        idleWatch.arm(socket);
        return;
      }
    } finally {
      revalidating.delete(socket);
    }
    logger.info({ userId: socket.data.userId }, 'realtime: socket session ended or idle');
    endSocket(socket, 'GH_REALTIME_CREDENTIAL_EXPIRED');
  };
  // The session manager writes a slid expiry at most this often, so asking more often buys nothing.
  const activityEveryMs = Math.min(60_000, config.sessions.idleTimeoutSec * 100);
  const lastActivity = new WeakMap<ChatSocket, number>();
  function noteActivity(this: ChatSocket) {
    if (this.data.credential?.idleExpiresAt === undefined) return;
    const now = clock.now();
    if (revalidating.has(this) || now - (lastActivity.get(this) ?? Number.NEGATIVE_INFINITY) < activityEveryMs) return;
    lastActivity.set(this, now);
    void revalidateSession(this, true);
  }

  /**
   * Joins the user's room (how disconnectUser and direct messages find a user on any node) and leaves a
   * stale one (after recovery). Credentials get no room: revoking one scans sockets instead, which keeps
   * a held socket cheaper, and revocations are rare.
   */
  const syncIdentityRooms = (socket: ChatSocket) => {
    const wanted = rooms.user(socket.data.userId);
    const changes = [...socket.rooms].filter((room) => room.startsWith('user:') && room !== wanted).map((room) => socket.leave(room));
    changes.push(socket.join(wanted));
    // The adapters gatehouse ships change rooms synchronously; one that answers with a promise must not fail unseen.
    void Promise.all(changes).catch((error: unknown) => logger.error({ err: error }, 'realtime: identity room change failed'));
  };

  const setPrincipal = (socket: ChatSocket, principal: Principal) => {
    socket.data = {
      user: { id: principal.userId, name: principal.name },
      userId: principal.userId,
      roles: [...principal.roles],
      credential: {
        kind: principal.credential.kind,
        id: principal.credential.id,
        expiresAt: principal.credential.expiresAt,
        ...(principal.credential.idleExpiresAt !== undefined ? { idleExpiresAt: principal.credential.idleExpiresAt } : {}),
        ...(isReadOnly(principal) ? { readOnly: true } : {}),
      },
    };
  };

  const authenticateSocket = async (socket: ChatSocket, token?: string, passive = false): Promise<Principal | null> => {
    const credentials = credentialsFromHandshake(socket.handshake, baseUrl, token);
    if (passive) credentials.passive = true;
    // A refresh token offered alone must stand alone: the handshake's cookies must not vouch for it.
    if (token !== undefined) credentials.cookies = {};
    const principal = await deps.authenticate(credentials);
    checkThirdPartyScopes(principal);
    return principal;
  };

  /** Admits a handshake or throws the coded reason it is refused. */
  const admit = async (socket: ChatSocket): Promise<void> => {
    if (!originAllowed(socket.handshake.headers.origin, origins)) throw new GatehouseError('GH_REALTIME_ORIGIN_REFUSED');
    const principal = await authenticateSocket(socket);
    if (!principal) throw new GatehouseError('GH_REALTIME_UNAUTHENTICATED');
    if (principal.credential.expiresAt !== null && principal.credential.expiresAt <= clock.now()) {
      throw new GatehouseError('GH_REALTIME_CREDENTIAL_EXPIRED');
    }
    // A recovered socket comes back with its rooms: only its own user may take them over.
    if (socket.recovered && socket.data?.userId !== undefined && socket.data.userId !== principal.userId) {
      throw new GatehouseError('GH_REALTIME_UNAUTHENTICATED');
    }
    const place = cap.reserve(principal.userId);
    if (!place) throw new GatehouseError('GH_REALTIME_TOO_MANY_SOCKETS');
    places.set(socket, place);
    // Socket.IO connects on the next tick; a handshake whose client left meanwhile gives its place back.
    setImmediate(() => {
      if (!socket.connected) place.release();
    });
    setPrincipal(socket, principal);
    // The bearer has done its job; the socket does not keep it (auth:refresh brings a new one).
    if (socket.handshake.auth && 'token' in socket.handshake.auth) delete socket.handshake.auth.token;
    missed.release(socket);
  };

  chat.use((socket, next) => {
    admit(socket).then(
      () => next(),
      (error: unknown) => {
        missed.discard(socket);
        if (!isGatehouseError(error) && !isStorageFault(error)) logger.error({ err: error }, 'realtime: handshake authentication failed');
        next(connectError(error));
      },
    );
  });

  const ctx: ChatContext = {
    chat,
    store,
    messageIds,
    presence,
    config,
    limits,
    clock,
    logger,
    reauthenticate: authenticateSocket,
    applyPrincipal(socket, principal) {
      setPrincipal(socket, principal);
      syncIdentityRooms(socket);
      watch.arm(socket);
      idleWatch.arm(socket);
    },
  };

  let closed = false;
  const dispatch = createDispatcher(ctx);
  const guardOutbound = createOutboundGuard(limits.maxBufferedPackets, (queued) => {
    logger.warn({ queued }, 'realtime: slow consumer dropped');
  });
  // Shared by every socket (`this` is the socket): rooms are still known while disconnecting.
  function onDisconnecting(this: ChatSocket) {
    watch.cancel(this);
    idleWatch.cancel(this);
    places.get(this)?.release();
    // A node shutting down has no one left to tell, and its adapter is going away.
    if (closed) return;
    // presence.refresh waits a tick, by which time the socket has left its rooms.
    for (const room of chatRoomsOf(this)) void presence.refresh(room);
  }

  const nodeId = config.server.nodeId ?? 'node';
  chat.on('connection', (socket) => {
    sendNow(socket, 'node', { id: nodeId });
    syncIdentityRooms(socket);
    watch.arm(socket);
    idleWatch.arm(socket);
    guardOutbound(socket);
    socket.onAny(noteActivity);
    socket.onAny(dispatch);
    socket.on('disconnecting', onDisconnecting);
    // A recovered socket reappears in its rooms.
    if (socket.recovered) for (const room of chatRoomsOf(socket)) void presence.refresh(room);
  });

  const revokedBody = (reason: string | undefined) => {
    const error = new GatehouseError('GH_REALTIME_REVOKED');
    const why = cleanReason(reason);
    return { error: error.code, message: error.message, ...(why ? { reason: why } : {}) };
  };
  /** The sockets on THIS node authenticated by one credential. */
  const endLocalCredential = (credentialKind: string, credentialId: string, reason: string | undefined) => {
    for (const socket of [...chat.sockets.values()]) {
      const c = socket.data.credential;
      if (c && c.kind === credentialKind && c.id === credentialId) {
        sendNow(socket, 'auth:ended', revokedBody(reason));
        socket.disconnect(true);
      }
    }
  };
  /** A user's sockets on THIS node, but for those of the one credential kept (a password change's caller). */
  const endLocalUserExcept = (userId: string, exceptKind: string, exceptId: string, reason: string | undefined) => {
    for (const socket of [...chat.sockets.values()]) {
      if (socket.data.userId !== userId) continue;
      const c = socket.data.credential;
      if (c && c.kind === exceptKind && c.id === exceptId) continue;
      sendNow(socket, 'auth:ended', revokedBody(reason));
      socket.disconnect(true);
    }
  };
  chat.on(END_USER_EXCEPT, (userId: string, exceptKind: string, exceptId: string, reason?: string) => {
    if (typeof userId === 'string' && typeof exceptKind === 'string' && typeof exceptId === 'string') endLocalUserExcept(userId, exceptKind, exceptId, reason);
  });
  // Other nodes ask this one to end a credential's sockets (serverSideEmit through the adapter).
  chat.on(END_CREDENTIAL, (credentialKind: string, credentialId: string, reason?: string) => {
    if (typeof credentialKind === 'string' && typeof credentialId === 'string') endLocalCredential(credentialKind, credentialId, reason);
  });

  logger.info({ adapter: kind }, 'realtime: socket.io ready on /chat');

  return {
    io,
    async disconnectUser(userId, reason, except) {
      // A kept credential without an id (a sealed cookie) cannot be told apart from other copies: all go.
      if (except?.id) {
        endLocalUserExcept(userId, except.kind, except.id, reason);
        if (kind !== 'memory') chat.serverSideEmit(END_USER_EXCEPT, userId, except.kind, except.id, cleanReason(reason));
        return;
      }
      const room = rooms.user(userId);
      chat.to(room).emit('auth:ended', revokedBody(reason));
      // Through the adapter: sockets on every node close; the emit above travels the same ordered channel.
      chat.in(room).disconnectSockets(true);
    },
    async disconnectCredential(credentialKind: CredentialKind, credentialId, reason) {
      endLocalCredential(credentialKind, credentialId, reason);
      if (kind !== 'memory') chat.serverSideEmit(END_CREDENTIAL, credentialKind, credentialId, cleanReason(reason));
    },
    async broadcast(text, from) {
      const { id, ts } = messageIds.next();
      chat.emit('broadcast', { id, user: { id: from.userId, name: from.name }, text, ts });
    },
    stats() {
      let chatRooms = 0;
      for (const room of chat.adapter.rooms.keys()) if (room.startsWith('room:')) chatRooms += 1;
      return { sockets: chat.sockets.size, rooms: chatRooms, crossNode: crossNode.stats() };
    },
    async close() {
      if (closed) return;
      closed = true;
      watch.cancelAll();
      idleWatch.cancelAll();
      // Like io.close(), but the HTTP server belongs to the caller and stays open. "server shutting down"
      // is a recoverable reason: clients reconnect elsewhere and recover what they missed.
      for (const socket of [...chat.sockets.values()]) closeAsTransportLoss(socket, 'server shutting down');
      await Promise.allSettled([chat.adapter.close(), io.of('/').adapter.close()]);
      io.engine.close();
    },
  };
}
