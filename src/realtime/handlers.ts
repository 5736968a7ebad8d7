import { GatehouseError, isGatehouseError, type Clock, type Config, type Logger, type Principal } from '../core/index.js';
import { isStorageFault, storageUnavailable } from '../storage/index.js';
import type { createMessageIds } from './message-id.js';
import type { MessageStore, StoredMessage } from './message-store.js';
import { chatRoomsOf, rooms, type ChatNamespace, type ChatSocket } from './namespace.js';
import type { Presence } from './presence.js';
import { createTokenBucket, type TokenBucket } from './rate-limit.js';
import type { AckError, ChatMessage, ClientToServerEvents, RealtimeLimits } from './types.js';
import { checkTextSize, parse } from './validate.js';
import { CHAT_WRITE_SCOPE, WRITE_EVENTS } from './scopes.js';

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

/**
 * The ack body of a failed event. A store that is down is "retry soon", not an internal error, on
 * sockets as on HTTP: GH_STORAGE_UNAVAILABLE with `retryAfterMs` (HTTP's Retry-After, in the unit the
 * other realtime retry hints use) when `retryAfterSec` is given.
 */
export function toAckError(error: unknown, logger: Logger, event: string, retryAfterSec?: number): AckError {
  const retry = retryAfterSec === undefined ? {} : { retryAfterMs: retryAfterSec * 1000 };
  if (isGatehouseError(error) && error.statusCode === 503) return { ...error.toJSON(), ...retry };
  if (isStorageFault(error)) {
    logger.warn({ err: error, event }, 'realtime: a store is unavailable');
    return { ...storageUnavailable(error).toJSON(), ...retry };
  }
  if (isGatehouseError(error)) return error.toJSON();
  logger.error({ err: error, event }, 'realtime: event handler failed');
  const internal = new GatehouseError('GH_CORE_INTERNAL');
  return internal.toJSON();
}

export function toChatMessage(m: StoredMessage, publicRoom: string): ChatMessage {
  return { id: m.id, room: publicRoom, user: { id: m.userId, name: m.userName }, text: m.text, ts: m.ts };
}

type Handler = (socket: ChatSocket, payload: unknown, ctx: ChatContext, limit: () => void) => Promise<unknown> | unknown;

const requireRoom = (socket: ChatSocket, room: string) => {
  if (!socket.rooms.has(rooms.chat(room))) throw new GatehouseError('GH_REALTIME_NOT_IN_ROOM');
};

/**
 * The chat events. One table shared by every socket (dispatched from one `onAny` listener), so a held
 * socket costs no per-event closures: memory per socket stays close to plain Socket.IO's.
 */
const HANDLERS: Record<keyof ClientToServerEvents, Handler> = {
  async 'room:join'(socket, payload, ctx, limit) {
    limit();
    const room = parse.room(payload);
    const key = rooms.chat(room);
    if (!socket.rooms.has(key) && chatRoomsOf(socket).length >= ctx.limits.maxRoomsPerSocket) {
      throw new GatehouseError('GH_REALTIME_TOO_MANY_ROOMS', { details: { max: ctx.limits.maxRoomsPerSocket } });
    }
    await socket.join(key);
    const users = await ctx.presence.refresh(room);
    return { room, users };
  },

  async 'room:leave'(socket, payload, ctx, limit) {
    limit();
    const room = parse.room(payload);
    await socket.leave(rooms.chat(room));
    void ctx.presence.refresh(room);
    return { room };
  },

  async 'presence:get'(socket, payload, ctx, limit) {
    limit();
    const room = parse.room(payload);
    requireRoom(socket, room);
    return { room, users: await ctx.presence.list(room) };
  },

  async 'message:send'(socket, payload, ctx, limit) {
    limit();
    const { room, text } = parse.send(payload);
    checkTextSize(text, ctx.config.realtime.maxMessageBytes);
    requireRoom(socket, room);
    const { id, ts } = ctx.messageIds.next();
    const user = socket.data.user;
    const stored: StoredMessage = { id, room: rooms.chat(room), userId: user.id, userName: user.name, text, ts };
    // Stored before it is sent: whatever a client saw live, history and recovery can show again.
    await ctx.store.append(stored);
    ctx.chat.to(rooms.chat(room)).emit('message:new', toChatMessage(stored, room));
    return { id, ts };
  },

  async 'message:direct'(socket, payload, ctx, limit) {
    limit();
    const { to, text } = parse.direct(payload);
    checkTextSize(text, ctx.config.realtime.maxMessageBytes);
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
  },

  async history(socket, payload, ctx, limit) {
    limit();
    const query = parse.history(payload);
    requireRoom(socket, query.room);
    if (query.before !== undefined && query.after !== undefined) {
      throw new GatehouseError('GH_REALTIME_INVALID_PAYLOAD', { details: { problem: 'give before or after, not both' } });
    }
    const limitCount = Math.min(query.limit ?? 50, ctx.limits.maxHistoryPage);
    const page = await ctx.store.page(rooms.chat(query.room), { before: query.before, after: query.after, limit: limitCount });
    return { room: query.room, messages: page.messages.map((m) => toChatMessage(m, query.room)), more: page.more };
  },

  async 'history:direct'(socket, payload, ctx, limit) {
    limit();
    const query = parse.historyDirect(payload);
    if (query.before !== undefined && query.after !== undefined) {
      throw new GatehouseError('GH_REALTIME_INVALID_PAYLOAD', { details: { problem: 'give before or after, not both' } });
    }
    const limitCount = Math.min(query.limit ?? 50, ctx.limits.maxHistoryPage);
    // Only ever the caller's own conversations: the key is built from the caller's id.
    const key = rooms.direct(socket.data.userId, query.with);
    const page = await ctx.store.page(key, { before: query.before, after: query.after, limit: limitCount });
    return { with: query.with, messages: page.messages.map((m) => toChatMessage(m, `dm:${query.with}`)), more: page.more };
  },

  typing(socket, payload, _ctx, limit) {
    // Volatile both ways: a dropped typing hint costs nothing, so over-limit hints are dropped silently.
    try {
      limit();
    } catch {
      return undefined;
    }
    const { room } = parse.typing(payload);
    requireRoom(socket, room);
    socket.to(rooms.chat(room)).volatile.emit('typing', { room, user: socket.data.user });
    return undefined;
  },

  broadcast(socket, payload, ctx, limit) {
    limit();
    if (!socket.data.roles.includes('admin')) throw new GatehouseError('GH_REALTIME_FORBIDDEN');
    const { text } = parse.broadcast(payload);
    checkTextSize(text, ctx.config.realtime.maxMessageBytes);
    const { id, ts } = ctx.messageIds.next();
    ctx.chat.emit('broadcast', { id, user: socket.data.user, text, ts });
    return { id, ts };
  },

  async 'auth:refresh'(socket, payload, ctx, limit) {
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
  },
};

/**
 * The one `onAny` listener every chat socket gets (Socket.IO calls it with `this` = the socket).
 * Socket.IO passes whatever the client sent — any count, any types; only a trailing function is an
 * ack. Every event is answered (ack, or `chat:error` without one); nothing thrown escapes.
 */
export function createDispatcher(ctx: ChatContext): (this: ChatSocket, event: unknown, ...args: unknown[]) => void {
  // Token buckets are made on a socket's first event: idle held sockets do not pay for one.
  const buckets = new WeakMap<ChatSocket, TokenBucket>();
  // Every inbound event, known or not, first takes from a wider per-socket bucket: past it the event is
  // not handled and not answered unless it asked for an ack, so a flood of junk events cannot make the
  // server do (or send) work in proportion.
  const inbound = new WeakMap<ChatSocket, TokenBucket>();
  const INBOUND_FACTOR = 5;
  const run = (socket: ChatSocket, event: unknown, args: unknown[]) => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (value: unknown) => void) : undefined;
    const name = typeof event === 'string' ? event.slice(0, 64) : String(event).slice(0, 64);
    let gate = inbound.get(socket);
    if (!gate) inbound.set(socket, (gate = createTokenBucket(ctx.clock, ctx.config.realtime.messagesPerSecond * INBOUND_FACTOR)));
    const waitMs = gate.take();
    if (waitMs > 0) {
      ack?.(toAckError(new GatehouseError('GH_REALTIME_RATE_LIMITED', { details: { retryAfterMs: waitMs } }), ctx.logger, name));
      return;
    }
    const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name as keyof ClientToServerEvents] : undefined;
    const limit = () => {
      let bucket = buckets.get(socket);
      if (!bucket) buckets.set(socket, (bucket = createTokenBucket(ctx.clock, ctx.config.realtime.messagesPerSecond)));
      const waitMs = bucket.take();
      if (waitMs > 0) throw new GatehouseError('GH_REALTIME_RATE_LIMITED', { details: { retryAfterMs: waitMs } });
    };
    Promise.resolve()
      .then(() => {
        if (!handler) throw new GatehouseError('GH_REALTIME_UNKNOWN_EVENT');
        if (socket.data.credential?.readOnly && WRITE_EVENTS.has(name)) throw new GatehouseError('GH_TOKEN_INSUFFICIENT_SCOPE', { details: { required: [CHAT_WRITE_SCOPE] } });
        return handler(socket, args[0], ctx, limit);
      })
      .then(
        (result) => ack?.(result),
        (error: unknown) => {
          const body = toAckError(error, ctx.logger, name, ctx.config.storage.retryAfterSec);
          if (ack) ack(body);
          else socket.emit('chat:error', { event: name, ...body });
        },
      )
      .catch((error: unknown) => ctx.logger.error({ err: error, event: name }, 'realtime: ack failed'));
  };
  return function dispatch(this: ChatSocket, event, ...args) {
    run(this, event, args);
  };
}
