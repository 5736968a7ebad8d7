import type { Realtime } from '../realtime/index.js';
import type { RevocationEvent } from './events.js';

/** A revoked credential closes the sockets it opened, on every node (the adapter carries it). */
export async function disconnectRevoked(realtime: Realtime, event: RevocationEvent): Promise<void> {
  switch (event.kind) {
    case 'session':
      await Promise.all(event.sessionIds.map((id) => realtime.disconnectCredential('session', id, 'session revoked')));
      return;
    case 'family':
      await Promise.all(event.familyIds.map((id) => realtime.disconnectCredential('jwt', id, 'token revoked')));
      return;
    case 'user':
      await realtime.disconnectUser(event.userId, event.reason);
      return;
  }
}
