// The Socket.IO contract is the server's own (src/core/chat-events.ts, imported type-only); what
// follows is the browser's: how it tells a refusal apart and how it shows messages as they travel.
import type { AckError, ChatMessage } from '../../../src/core/chat-events.js';

export type { AckError, ChatMessage, ChatUser, ClientToServerEvents, ServerToClientEvents } from '../../../src/core/chat-events.js';

/** The server takes an ack as optional (a client may not ask); for the events named, this client always
 *  asks for one, which socket.io-client's `timeout()` typing needs to see as a required last argument. */
export type AskingForAcks<Events, Asked extends keyof Events> = {
  [E in keyof Events]: E extends Asked ? (Events[E] extends (...args: infer A) => void ? (...args: Required<A>) => void : never) : Events[E];
};

export function isAckError(value: unknown): value is AckError {
  return typeof value === 'object' && value !== null && typeof (value as AckError).error === 'string';
}

export type Delivery = 'pending' | 'acked' | 'failed' | 'received';

export interface ShownMessage extends ChatMessage {
  /** Set on messages this tab sent, until the server's id replaces it. */
  localId?: string;
  delivery: Delivery;
  failure?: string;
}

/** Merges by id, ordered by time then id; an acknowledged copy wins over a received one. */
export function mergeMessages(current: ShownMessage[], incoming: ShownMessage[]): ShownMessage[] {
  const byId = new Map<string, ShownMessage>();
  for (const message of [...current, ...incoming]) {
    const existing = byId.get(message.id);
    if (!existing) byId.set(message.id, message);
    else if (message.delivery === 'acked' || existing.delivery !== 'acked') byId.set(message.id, { ...existing, ...message, delivery: existing.delivery === 'acked' ? 'acked' : message.delivery });
  }
  return [...byId.values()].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(-500);
}
