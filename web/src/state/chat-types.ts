// The Socket.IO contract as the browser sees it (docs/architecture.md, "Socket.IO"; src/realtime/types.ts).

export interface ChatUser {
  id: string;
  name: string | null;
}

export interface ChatMessage {
  id: string;
  room: string;
  user: ChatUser;
  text: string;
  ts: number;
}

export interface AckError {
  error: string;
  message: string;
}

type Ack<T> = (result: T | AckError) => void;

export interface ClientEvents {
  'room:join': (room: string, ack: Ack<{ room: string; users: ChatUser[] }>) => void;
  'room:leave': (room: string, ack?: Ack<{ room: string }>) => void;
  'message:send': (payload: { room: string; text: string }, ack: Ack<{ id: string; ts: number }>) => void;
  'auth:refresh': (payload: { token?: string }, ack: Ack<{ expiresAt: number | null }>) => void;
  history: (payload: { room: string; after?: string; limit?: number }, ack: Ack<{ room: string; messages: ChatMessage[]; more: boolean }>) => void;
}

export interface ServerEvents {
  'message:new': (message: ChatMessage) => void;
  presence: (payload: { room: string; users: ChatUser[] }) => void;
  'auth:expiring': (payload: { expiresAt: number }) => void;
  'auth:ended': (payload: { error: string; message: string; reason?: string }) => void;
  'chat:error': (payload: { event: string } & AckError) => void;
  /** Optional: a node that tells which node it is. */
  node: (payload: { id: string }) => void;
}

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
