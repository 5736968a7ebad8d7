import { useEffect, useRef, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import { localizeError } from '../api/client.js';
import { auth, loadMe, refreshAccessToken } from './auth.js';
import { isAckError, mergeMessages, type ChatUser, type AskingForAcks, type ClientToServerEvents, type ServerToClientEvents, type ShownMessage } from './chat-types.js';

// One Socket.IO connection to the /chat namespace and everything the chat page shows about it.
// Cookies ride along by themselves; in JWT mode the access token goes in `auth` and is renewed live.

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'disconnected'; reason: string }
  | { kind: 'refused'; message: string };

export interface ChatView {
  connection: ConnectionState;
  transport: string | null;
  node: string | null;
  rooms: string[];
  active: string | null;
  messages: Record<string, ShownMessage[]>;
  presence: Record<string, ChatUser[]>;
  ended: string | null;
  /** A refused join or event (not the end of the socket). */
  problem: string | null;
  historyLoaded: Record<string, number>;
}

type ChatSocket = Socket<ServerToClientEvents, AskingForAcks<ClientToServerEvents, 'room:join' | 'message:send' | 'history'>>;
const ACK_TIMEOUT_MS = 15_000;
const EXPIRING_RENEW_MS = 15_000;

export interface ChatControls {
  view: ChatView;
  join(room: string): void;
  leave(room: string): void;
  select(room: string): void;
  send(text: string): void;
  reconnect(): void;
}

export function useChat(identity: string | null): ChatControls {
  const [view, setView] = useState<ChatView>({ connection: { kind: 'connecting' }, transport: null, node: null, rooms: [], active: null, messages: {}, presence: {}, ended: null, problem: null, historyLoaded: {} });
  const socketRef = useRef<ChatSocket | null>(null);
  const roomsRef = useRef<string[]>([]);
  const update = (change: (v: ChatView) => Partial<ChatView>) => setView((v) => ({ ...v, ...change(v) }));

  const addMessages = (room: string, incoming: ShownMessage[]) =>
    update((v) => ({ messages: { ...v.messages, [room]: mergeMessages(v.messages[room] ?? [], incoming) } }));

  const loadHistory = (socket: ChatSocket, room: string) => {
    socket.timeout(ACK_TIMEOUT_MS).emit('history', { room, limit: 50 }, (err, result) => {
      if (err || !result || isAckError(result)) return;
      addMessages(room, result.messages.map((m) => ({ ...m, delivery: 'received' as const })));
      update((v) => ({ historyLoaded: { ...v.historyLoaded, [room]: result.messages.length } }));
    });
  };

  const joinOn = (socket: ChatSocket, room: string) => {
    socket.timeout(ACK_TIMEOUT_MS).emit('room:join', room, (err, result) => {
      if (err || !result) return;
      if (isAckError(result)) {
        update(() => ({ problem: `${room}: ${localizeError(result).message}` }));
        return;
      }
      update((v) => ({ problem: null, presence: { ...v.presence, [room]: result.users } }));
      loadHistory(socket, room);
    });
  };

  useEffect(() => {
    if (!identity) return;
    const socket: ChatSocket = io('/chat', {
      path: '/socket.io',
      withCredentials: true,
      // A function, so every (re)connection presents the token held right now.
      auth: (cb) => {
        const token = auth.get().accessToken;
        cb(token ? { token } : {});
      },
    });
    socketRef.current = socket;
    update(() => ({ connection: { kind: 'connecting' }, ended: null }));

    const watchTransport = () => {
      const engine = socket.io.engine;
      update(() => ({ transport: engine.transport.name }));
      engine.on('upgrade', (transport: { name: string }) => update(() => ({ transport: transport.name })));
    };
    socket.on('connect', () => {
      update(() => ({ connection: { kind: 'connected' }, ended: null }));
      watchTransport();
      // Without connection-state recovery the server forgot our rooms: join them again.
      if (!socket.recovered) for (const room of roomsRef.current) joinOn(socket, room);
    });
    socket.on('connect_error', (error) => {
      // A refusal by the server's middleware is final until we try again; a network error retries itself.
      const coded = (error as Error & { data?: unknown }).data;
      if (!socket.active) update(() => ({ connection: { kind: 'refused', message: isAckError(coded) ? localizeError(coded).message : error.message } }));
    });
    socket.on('disconnect', (reason) => {
      update(() => ({ connection: socket.active ? { kind: 'reconnecting', attempt: 0 } : { kind: 'disconnected', reason } }));
      if (reason === 'io server disconnect') void loadMe();
    });
    socket.io.on('reconnect_attempt', (attempt) => update(() => ({ connection: { kind: 'reconnecting', attempt } })));
    socket.on('message:new', (message) => addMessages(message.room, [{ ...message, delivery: 'received' }]));
    socket.on('presence', ({ room, users }) => update((v) => ({ presence: { ...v.presence, [room]: users } })));
    socket.on('node', ({ id }) => update(() => ({ node: id })));
    socket.on('chat:error', (body) => update(() => ({ problem: `${body.event}: ${localizeError(body).message}` })));
    socket.on('auth:ended', (body) => {
      update(() => ({ ended: localizeError(body).message }));
      // The credential behind this socket is gone: the page should stop saying we are signed in.
      void loadMe();
    });
    // Every new access token (renewed by the timer in state/auth.ts or below) goes to the live socket.
    let sent = auth.get().accessToken;
    const unsubscribe = auth.subscribe((value) => {
      if (!value.accessToken || value.accessToken === sent || !socket.connected) return;
      sent = value.accessToken;
      socket.timeout(ACK_TIMEOUT_MS).emit('auth:refresh', { token: value.accessToken }, () => undefined);
    });
    socket.on('auth:expiring', ({ expiresAt }) => {
      const { accessToken, tokenExpiresAt } = auth.get();
      if (!accessToken || !tokenExpiresAt) return;
      // The server still holds an older token than ours: hand it the current one, no new request.
      if (tokenExpiresAt > expiresAt + 1000) {
        sent = accessToken;
        socket.timeout(ACK_TIMEOUT_MS).emit('auth:refresh', { token: accessToken }, () => undefined);
        return;
      }
      // Ours is the one expiring. Renew now only when it is close; otherwise the renewal timer does it
      // in time (a notice window longer than the token's life must not turn into a refresh storm).
      if (tokenExpiresAt - Date.now() <= EXPIRING_RENEW_MS) void refreshAccessToken();
    });
    return () => {
      unsubscribe();
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [identity]);

  return {
    view,
    join(room) {
      const name = room.trim();
      if (!name) return;
      if (!roomsRef.current.includes(name)) roomsRef.current = [...roomsRef.current, name];
      update(() => ({ rooms: roomsRef.current, active: name }));
      const socket = socketRef.current;
      if (socket?.connected) joinOn(socket, name);
    },
    leave(room) {
      roomsRef.current = roomsRef.current.filter((r) => r !== room);
      socketRef.current?.emit('room:leave', room);
      update((v) => ({ rooms: roomsRef.current, active: v.active === room ? (roomsRef.current[0] ?? null) : v.active }));
    },
    select(room) {
      update(() => ({ active: room }));
    },
    send(text) {
      const socket = socketRef.current;
      const room = view.active;
      const me = auth.get().me;
      if (!socket || !room || !me || !text.trim()) return;
      const localId = `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      const pending: ShownMessage = { id: localId, localId, room, text, ts: Date.now(), user: { id: me.user.id, name: me.user.name }, delivery: 'pending' };
      addMessages(room, [pending]);
      socket.timeout(ACK_TIMEOUT_MS).emit('message:send', { room, text }, (err, result) => {
        update((v) => {
          const list = (v.messages[room] ?? []).filter((m) => m.id !== localId);
          if (err || !result || isAckError(result)) {
            const failure = localizeError(isAckError(result) && !err ? result : { error: 'GH_WEB_TIMEOUT', message: 'no answer in time' }).message;
            return { messages: { ...v.messages, [room]: mergeMessages(list, [{ ...pending, delivery: 'failed', failure }]) } };
          }
          return { messages: { ...v.messages, [room]: mergeMessages(list, [{ ...pending, id: result.id, ts: result.ts, delivery: 'acked' }]) } };
        });
      });
    },
    reconnect() {
      const socket = socketRef.current;
      if (socket && !socket.connected) {
        update(() => ({ connection: { kind: 'connecting' }, ended: null }));
        socket.connect();
      }
    },
  };
}
