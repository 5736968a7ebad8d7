import type { Clock } from '../core/index.js';
import type { ChatSocket } from './namespace.js';

/**
 * Keeps each live socket's credential true — Socket.IO itself checks it only at the handshake: warns
 * with `auth:expiring` `noticeMs` before the credential ends and calls `onExpired` when it does, unless
 * `arm` is called again with a fresher credential (auth:refresh). Timers run on the injected clock.
 */
export interface CredentialWatch {
  arm(socket: ChatSocket): void;
  cancel(socket: ChatSocket): void;
  cancelAll(): void;
}

export function createCredentialWatch(clock: Clock, noticeMs: number, onExpired: (socket: ChatSocket) => void): CredentialWatch {
  // One pending timer per socket at a time (the notice, then the expiry): held sockets stay cheap.
  const timers = new Map<ChatSocket, () => void>();
  const cancel = (socket: ChatSocket) => {
    timers.get(socket)?.();
    timers.delete(socket);
  };
  const armExpiry = (socket: ChatSocket, expiresAt: number) => {
    timers.set(
      socket,
      clock.setTimer(expiresAt - clock.now(), () => {
        timers.delete(socket);
        onExpired(socket);
      }),
    );
  };
  return {
    arm(socket) {
      cancel(socket);
      const expiresAt = socket.data.credential?.expiresAt ?? null;
      if (expiresAt === null) return;
      const now = clock.now();
      const noticeAt = expiresAt - noticeMs;
      if (noticeAt > now) {
        timers.set(
          socket,
          clock.setTimer(noticeAt - now, () => {
            socket.emit('auth:expiring', { expiresAt });
            armExpiry(socket, expiresAt);
          }),
        );
        return;
      }
      if (expiresAt > now) socket.emit('auth:expiring', { expiresAt });
      armExpiry(socket, expiresAt);
    },
    cancel,
    cancelAll() {
      for (const socket of [...timers.keys()]) cancel(socket);
    },
  };
}
