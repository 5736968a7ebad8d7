import { GatehouseError, isGatehouseError, type Clock, type Config, type Logger, type Principal } from '../core/index.js';
import type { createMessageIds } from './message-id.js';
import type { MessageStore, StoredMessage } from './message-store.js';
import { chatRoomsOf, rooms, type ChatNamespace, type ChatSocket } from './namespace.js';
import type { Presence } from './presence.js';
import { createTokenBucket } from './rate-limit.js';
import type { AckError, ChatMessage, ClientToServerEvents, RealtimeLimits } from './types.js';
import { checkTextSize, parse } from './validate.js';

export interface ChatContext {
  chat: ChatNamespace;
  store: MessageStore;
  messageIds: ReturnType<typeof createMessageIds>;
  presence: Presence;
  config: Config;
  limits: RealtimeLimits;
  clock: Clock;
  logger: Logger;
  /** Runs the guard again: with `token`, on that bearer alone; without, on the handshake's credentials. */
  reauthenticate(socket: ChatSocket, token: string | undefined): Promise<Principal | null>;
  /** Puts a (fresh) principal on the socket: data, identity rooms, expiry timers. */
  applyPrincipal(socket: ChatSocket, principal: Principal): void;
}

const KNOWN_EVENTS = new Set<string>([
  'room:join', 'room:leave', 'message:send', 'message:direct', 'auth:refresh', 'history', 'presence:get', 'typing', 'broadcast',
]);

export function toAckError(error: unknown, logger: Logger, event: string): AckError {
  if (isGatehouseError(error)) return error.toJSON();
  logger.error({ err: error, event }, 'realtime: event handler failed');
  const internal = new GatehouseError('GH_CORE_INTERNAL');
  return internal.toJSON();
}

export function toChatMessage(m: StoredMessage, publicRoom: string): ChatMessage {
  return { id: m.id, room: publicRoom, user: { id: m.userId, name: m.userName }, text: m.text, ts: m.ts };
}

/** Registers the chat events on one authenticated socket. Every handler answers; none can throw out. */
export function registerHandlers(socket: ChatSocket, ctx: ChatContext): void {
  const bucket = createTokenBucket(ctx.clock, ctx.config.realtime.messagesPerSecond);
  const maxBytes = ctx.config.realtime.maxMessageBytes;

  const limit = () => {
    const waitMs = bucket.take();
    if (waitMs > 0) throw new GatehouseError('GH_REALTIME_RATE_LIMITED', { details: { retryAfterMs: waitMs } });
  };
  const requireRoom = (room: string) => {
    if (!socket.rooms.has(rooms.chat(room))) throw new GatehouseError('GH_REALTIME_NOT_IN_ROOM');
  };

  const on = <E extends keyof ClientToServerEvents>(event: E, handler: (payload: unknown) => Promise<unknown> | unknown) => {
    // Socket.IO passes whatever the client sent: any count, any types. Only a trailing function is an ack.
    socket.on(event, ((...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (value: unknown) => void) : undefined;
      Promise.resolve()
        .then(() => handler(args[0]))
        .then(
          (result) => ack?.(result),
          (error: unknown) => {
            const body = toAckError(error, ctx.logger, event);
            if (ack) ack(body);
            else socket.emit('chat:error', { event, ...body });
          },
        )
        .catch((error: unknown) => ctx.logger.error({ err: error, event }, 'realtime: ack failed'));
    }) as never);
  };

  // A misspelt or unsupported event still gets an answer instead of silence.
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && KNOWN_EVENTS.has(event)) return;
    const ack = args[args.length - 1];
    const body = new GatehouseError('GH_REALTIME_UNKNOWN_EVENT').toJSON();
    if (typeof ack === 'function') (ack as (value: unknown) => void)(body);
    else socket.emit('chat:error', { event: String(event).slice(0, 64), ...body });
  });

  on('room:join', async (payload) => {
    limit();
    const room = parse.room(payload);
    const key = rooms.chat(room);
    if (!socket.rooms.has(key) && chatRoomsOf(socket).length >= ctx.limits.maxRoomsPerSocket) {
      throw new GatehouseError('GH_REALTIME_TOO_MANY_ROOMS', { details: { max: ctx.limits.maxRoomsPerSocket } });
    }
    socket.join(key);
    const users = await ctx.presence.refresh(room);
    return { room, users };
  });

  on('room:leave', async (payload) => {
    limit();
    const room = parse.room(payload);
    socket.leave(rooms.chat(room));
    void ctx.presence.refresh(room);
    return { room };
  });

  on('presence:get', async (payload) => {
    limit();
    const room = parse.room(payload);
    requireRoom(room);
    return { room, users: await ctx.presence.list(room) };
  });

  on('message:send', async (payload) => {
    limit();
    const { room, text } = parse.send(payload);
    checkTextSize(text, maxBytes);
    requireRoom(room);
    const { id, ts } = ctx.messageIds.next();
    const user = socket.data.user;
    const stored: StoredMessage = { id, room: rooms.chat(room), userId: user.id, userName: user.name, text, ts };
    // Stored before it is sent: whatever a client saw live, history and recovery can show again.
    await ctx.store.append(stored);
    ctx.chat.to(rooms.chat(room)).emit('message:new', toChatMessage(stored, room));
    return { id, ts };
  });

  on('message:direct', async (payload) => {
    limit();
    const { to, text } = parse.direct(payload);
    checkTextSize(text, maxBytes);
    const { id, ts } = ctx.messageIds.next();
    const from = socket.data.user;
    await ctx.store.append({ id, room: rooms.direct(from.id, to), userId: from.id, userName: from.name, text, ts });
    // Reaches the user on whichever node(s) they are; counts the recipient sockets that confirmed in time.
    const delivered = await new Promise<number>((resolve) => {
      ctx.chat
        .to(rooms.user(to))
        .timeout(ctx.limits.directAckTimeoutMs)
        .emit('message:direct', { id, from, to, text, ts }, (_error: Error | null, responses: boolean[] | undefined) => {
          resolve(Array.isArray(responses) ? responses.length : 0);
        });
    });
    return { id, ts, delivered };
  });

  on('history', async (payload) => {
    limit();
    const query = parse.history(payload);
    requireRoom(query.room);
    const limitCount = Math.min(query.limit ?? 50, ctx.limits.maxHistoryPage);
    if (query.before !== undefined && query.after !== undefined) {
      throw new GatehouseError('GH_REALTIME_INVALID_PAYLOAD', { details: { problem: 'give before or after, not both' } });
    }
    const page = await ctx.store.page(rooms.chat(query.room), { before: query.before, after: query.after, limit: limitCount });
    return { room: query.room, messages: page.messages.map((m) => toChatMessage(m, query.room)), more: page.more };
  });

  on('typing', (payload) => {
    // Volatile both ways: a dropped typing hint costs nothing, so over-limit hints are dropped silently.
    if (bucket.take() > 0) return undefined;
    const { room } = parse.typing(payload);
    requireRoom(room);
    socket.to(rooms.chat(room)).volatile.emit('typing', { room, user: socket.data.user });
    return undefined;
  });

  on('broadcast', (payload) => {
    limit();
    if (!socket.data.roles.includes('admin')) throw new GatehouseError('GH_REALTIME_FORBIDDEN');
    const { text } = parse.broadcast(payload);
    checkTextSize(text, maxBytes);
    const { id, ts } = ctx.messageIds.next();
    ctx.chat.emit('broadcast', { id, user: socket.data.user, text, ts });
    return { id, ts };
  });

  on('auth:refresh', async (payload) => {
    limit();
    const { token } = parse.refresh(payload ?? {});
    const principal = await ctx.reauthenticate(socket, token);
    if (!principal) throw new GatehouseError('GH_REALTIME_UNAUTHENTICATED');
    if (principal.userId !== socket.data.userId) throw new GatehouseError('GH_REALTIME_REFRESH_MISMATCH');
    if (principal.credential.expiresAt !== null && principal.credential.expiresAt <= ctx.clock.now()) {
      throw new GatehouseError('GH_REALTIME_CREDENTIAL_EXPIRED');
    }
    ctx.applyPrincipal(socket, principal);
    return { expiresAt: principal.credential.expiresAt };
  });
}
