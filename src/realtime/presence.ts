import type { Logger } from '../core/index.js';
import type { ChatNamespace } from './namespace.js';
import type { ChatUser } from './types.js';

export interface Presence {
  /** Who is in a chat room on any node (deduplicated by user), without telling the room. */
  list(room: string): Promise<ChatUser[]>;
  /**
   * Recomputes a room's presence and sends it to the room on every node. Calls in the same tick share
   * one computation, so a burst of joins (a reconnect storm) costs one cross-node query, not one each.
   */
  refresh(room: string): Promise<ChatUser[]>;
}

export function createPresence(chat: ChatNamespace, logger: Logger): Presence {
  const pending = new Map<string, Promise<ChatUser[]>>();

  const list = async (room: string): Promise<ChatUser[]> => {
    // fetchSockets asks every node through the adapter: presence holds across nodes with no extra store.
    const sockets = await chat.in(`room:${room}`).fetchSockets();
    const users = new Map<string, ChatUser>();
    for (const s of sockets) if (s.data?.user) users.set(s.data.user.id, s.data.user);
    return [...users.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };

  return {
    list,
    refresh(room) {
      const existing = pending.get(room);
      if (existing) return existing;
      const run = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        pending.delete(room);
        try {
          const users = await list(room);
          chat.to(`room:${room}`).emit('presence', { room, users });
          return users;
        } catch (error) {
          logger.warn({ err: error, room }, 'realtime: presence query failed');
          return [];
        }
      });
      pending.set(room, run);
      return run;
    },
  };
}
