import type { Clock } from '../core/index.js';
import type { ChatSocket } from './namespace.js';

/**
 * Keeps each live socket's credential true — Socket.IO itself checks it only at the handshake: warns
 * with `auth:expiring` `noticeMs` before the credential ends and calls `onExpired` when it does, unless
 * `arm` is called again with a fresher credential (auth:refresh). Timers run on the injected clock.
 * `deadlineOf` says which end is watched (the credential's hard end by default); with `noticeMs` null
 * no `auth:expiring` is sent.
 */
export interface CredentialWatch {
  arm(socket: ChatSocket): void;
  cancel(socket: ChatSocket): void;
  cancelAll(): void;
}

/** Deadlines are grouped per second: a timer per bucket, not per socket, however many sockets are held. */
export const BUCKET_MS = 1_000;

interface Pending {
  /** When the socket is next due, and what happens then. */
  at: number;
  phase: 'notice' | 'expiry';
  expiresAt: number;
  bucket: number;
}

const hardEnd = (socket: ChatSocket) => socket.data.credential?.expiresAt ?? null;

export function createCredentialWatch(
  clock: Clock,
  noticeMs: number | null,
  onExpired: (socket: ChatSocket) => void,
  deadlineOf: (socket: ChatSocket) => number | null = hardEnd,
): CredentialWatch {
  const pending = new Map<ChatSocket, Pending>();
  const buckets = new Map<number, { sockets: Set<ChatSocket>; stop: () => void }>();

  // A bucket fires at its start, so a deadline is met up to a second early, never late: a socket never
  // outlives its credential.
  const schedule = (socket: ChatSocket, entry: Pending) => {
    pending.set(socket, entry);
    let bucket = buckets.get(entry.bucket);
    if (!bucket) {
      const key = entry.bucket;
      const stop = clock.setTimer(Math.max(0, key * BUCKET_MS - clock.now()), () => fire(key));
      bucket = { sockets: new Set(), stop };
      buckets.set(key, bucket);
    }
    bucket.sockets.add(socket);
  };
  const unschedule = (socket: ChatSocket) => {
    const entry = pending.get(socket);
    if (!entry) return;
    pending.delete(socket);
    const bucket = buckets.get(entry.bucket);
    if (!bucket) return;
    bucket.sockets.delete(socket);
    if (bucket.sockets.size === 0) {
      bucket.stop();
      buckets.delete(entry.bucket);
    }
  };
  const plan = (socket: ChatSocket, phase: Pending['phase'], at: number, expiresAt: number) => {
    schedule(socket, { at, phase, expiresAt, bucket: Math.floor(at / BUCKET_MS) });
  };
  const fire = (key: number) => {
    const bucket = buckets.get(key);
    buckets.delete(key);
    for (const socket of bucket?.sockets ?? []) {
      const entry = pending.get(socket);
      if (!entry || entry.bucket !== key) continue;
      pending.delete(socket);
      if (entry.phase === 'notice') {
        socket.emit('auth:expiring', { expiresAt: entry.expiresAt });
        plan(socket, 'expiry', entry.expiresAt, entry.expiresAt);
      } else {
        onExpired(socket);
      }
    }
  };

  return {
    arm(socket) {
      unschedule(socket);
      const expiresAt = deadlineOf(socket);
      if (expiresAt === null) return;
      if (noticeMs === null) return plan(socket, 'expiry', expiresAt, expiresAt);
      const now = clock.now();
      const noticeAt = expiresAt - noticeMs;
      if (Math.floor(noticeAt / BUCKET_MS) * BUCKET_MS > now) return plan(socket, 'notice', noticeAt, expiresAt);
      if (expiresAt > now) socket.emit('auth:expiring', { expiresAt });
      plan(socket, 'expiry', expiresAt, expiresAt);
    },
    cancel: unschedule,
    cancelAll() {
      for (const bucket of buckets.values()) bucket.stop();
      buckets.clear();
      pending.clear();
    },
  };
}
