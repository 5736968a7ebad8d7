import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/index.js';

/**
 * Closes long-lived connections one by one across `windowMs` instead of all at once, so the clients
 * of a drained backend reconnect (to other backends) in a trickle rather than a thundering herd.
 */
export function closeGradually(sockets: readonly Duplex[], windowMs: number, clock: Clock): void {
  const step = sockets.length > 0 ? windowMs / sockets.length : 0;
  sockets.forEach((socket, i) => {
    clock.setTimer(Math.round(step * (i + 1)), () => {
      if (!socket.destroyed) socket.end(() => socket.destroy());
      // A peer that never acknowledges the FIN must not keep the socket.
      setTimeout(() => socket.destroy(), 2_000).unref();
    });
  });
}
