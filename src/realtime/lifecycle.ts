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
  const timers = new Map<ChatSocket, (() => void)[]>();
  const cancel = (socket: ChatSocket) => {
    for (const stop of timers.get(socket) ?? []) stop();
    timers.delete(socket);
  };
  return {
    arm(socket) {
      cancel(socket);
      const expiresAt = socket.data.credential?.expiresAt ?? null;
      if (expiresAt === null) return;
      const now = clock.now();
      const list: (() => void)[] = [];
      const noticeAt = expiresAt - noticeMs;
      if (noticeAt > now) {
        list.push(clock.setTimer(noticeAt - now, () => socket.emit('auth:expiring', { expiresAt })));
      } else if (expiresAt > now) {
        socket.emit('auth:expiring', { expiresAt });
      }
      list.push(
        clock.setTimer(expiresAt - now, () => {
          timers.delete(socket);
          onExpired(socket);
        }),
      );
      timers.set(socket, list);
    },
    cancel,
    cancelAll() {
      for (const socket of [...timers.keys()]) cancel(socket);
    },
  };
}
