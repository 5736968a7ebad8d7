import { Type, type Static } from '@sinclair/typebox';

// The Socket.IO chat contract (docs/architecture.md, "Socket.IO"): the server types its namespace with
// these events and web/ imports them (type-only) for its client, so the two cannot drift. The payloads
// the server sends are TypeBox schemas too, so a test can check a real node's events against them.
// This file imports nothing but TypeBox, because the web build typechecks it.

/** Who is speaking, as other clients see them: never the email, never a credential. */
export const ChatUser = Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) });
export type ChatUser = Static<typeof ChatUser>;

export const ChatMessage = Type.Object({ id: Type.String(), room: Type.String(), user: ChatUser, text: Type.String(), ts: Type.Number() });
export type ChatMessage = Static<typeof ChatMessage>;

export const DirectMessage = Type.Object({ id: Type.String(), from: ChatUser, to: Type.String(), text: Type.String(), ts: Type.Number() });
export type DirectMessage = Static<typeof DirectMessage>;

export const Presence = Type.Object({ room: Type.String(), users: Type.Array(ChatUser) });
export type Presence = Static<typeof Presence>;

/** What an ack carries when the event was refused: the same `{error, message}` as HTTP bodies. */
export interface AckError {
  error: string;
  message: string;
  [extra: string]: unknown;
}

export type Ack<T> = (result: T | AckError) => void;

/** client → server (plus presence, typing and history). */
export interface ClientToServerEvents {
  'room:join': (room: string, ack?: Ack<Presence>) => void;
  'room:leave': (room: string, ack?: Ack<{ room: string }>) => void;
  'message:send': (payload: { room: string; text: string }, ack?: Ack<{ id: string; ts: number }>) => void;
  'message:direct': (payload: { to: string; text: string }, ack?: Ack<{ id: string; ts: number; delivered: number }>) => void;
  'auth:refresh': (payload: { token?: string }, ack?: Ack<{ expiresAt: number | null }>) => void;
  history: (
    payload: { room: string; before?: string; after?: string; limit?: number },
    ack?: Ack<{ room: string; messages: ChatMessage[]; more: boolean }>,
  ) => void;
  /** The conversation between the caller and one other user (direct messages are stored like rooms). */
  'history:direct': (
    payload: { with: string; before?: string; after?: string; limit?: number },
    ack?: Ack<{ with: string; messages: ChatMessage[]; more: boolean }>,
  ) => void;
  'presence:get': (room: string, ack?: Ack<Presence>) => void;
  typing: (payload: { room: string }) => void;
  broadcast: (payload: { text: string }, ack?: Ack<{ id: string; ts: number }>) => void;
}

/** server → client. */
export interface ServerToClientEvents {
  'message:new': (message: ChatMessage) => void;
  'message:direct': (message: DirectMessage, ack: (received: boolean) => void) => void;
  presence: (payload: Presence) => void;
  typing: (payload: { room: string; user: ChatUser }) => void;
  broadcast: (payload: { id: string; user: ChatUser; text: string; ts: number }) => void;
  'auth:expiring': (payload: { expiresAt: number }) => void;
  /** Which node the socket reached (config.server.nodeId), sent once on connect. */
  node: (payload: { id: string }) => void;
  /** Sent just before the server closes the socket for an expired or revoked credential. */
  'auth:ended': (payload: { error: string; message: string; reason?: string }) => void;
  /** An event the client sent without an ack callback was refused. */
  'chat:error': (payload: { event: string } & AckError) => void;
}
