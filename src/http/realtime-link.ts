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
    case 'app':
      // A socket opened with an OAuth token carries the token's grant id as its credential id.
      await Promise.all(event.grantIds.map((id) => realtime.disconnectCredential('oauth', id, 'app revoked')));
      return;
    case 'user':
      await realtime.disconnectUser(event.userId, event.reason, event.keep);
      return;
  }
}
