import type { Logger } from '../core/index.js';
import { rooms, type ChatNamespace } from './namespace.js';
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

/** Inter-node event: "who of yours is in this room?", answered with the users only. */
export const PRESENCE_QUERY = 'gh:presence';

const isUser = (value: unknown): value is ChatUser =>
  typeof value === 'object' && value !== null && typeof (value as ChatUser).id === 'string' && ((value as ChatUser).name === null || typeof (value as ChatUser).name === 'string');

/**
 * Presence across nodes with no extra store: each node answers for its own sockets. The question goes
 * out as a serverSideEmit whose answer is the users alone — fetchSockets would copy every socket's
 * whole handshake (its headers, cookies included) to the asking node, on every join of a reconnect
 * storm. Cross-node requests answer in time and skip nodes that are gone (cross-node.ts).
 */
export function createPresence(chat: ChatNamespace, logger: Logger, options: { crossNode: boolean }): Presence {
  const pending = new Map<string, Promise<ChatUser[]>>();

  const localUsers = (room: string): ChatUser[] => {
    const users: ChatUser[] = [];
    for (const id of chat.adapter.rooms.get(rooms.chat(room)) ?? []) {
      const user = chat.sockets.get(id)?.data?.user;
      if (user) users.push(user);
    }
    return users;
  };
  if (options.crossNode) {
    chat.on(PRESENCE_QUERY, (room: unknown, answer: unknown) => {
      if (typeof room === 'string' && typeof answer === 'function') answer(localUsers(room));
    });
  }
  // The nodes that answered in time; a node that did not is missing from this answer, not fatal to it.
  const remoteUsers = (room: string) =>
    new Promise<unknown[]>((resolve) => {
      chat.serverSideEmit(PRESENCE_QUERY, room, (_error: Error | null, answers: unknown[] | undefined) => resolve(Array.isArray(answers) ? answers : []));
    });

  const list = async (room: string): Promise<ChatUser[]> => {
    const found = [localUsers(room)];
    if (options.crossNode) for (const answer of await remoteUsers(room)) if (Array.isArray(answer)) found.push(answer.filter(isUser));
    const users = new Map<string, ChatUser>();
    for (const user of found.flat()) users.set(user.id, { id: user.id, name: user.name });
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
