import type { GrantManager } from '../oauth/index.js';
import type { TokenService } from '../tokens/index.js';
import type { SecurityEvents } from './events.js';

/**
 * The store side of every revocation, registered with the context so it runs before anything closes a
 * socket, and on every node's context (a CLI or worker calling endCredentials included):
 * - a user's credentials ending (endCredentials) ends their JWT refresh families, denies the families'
 *   live access tokens, and ends every OAuth grant with its codes, access and refresh tokens — all but
 *   the credential the caller keeps;
 * - a family ending (logout, reuse, a device revoked) denies its live access tokens.
 * Sealed cookies and provider browser sessions end through the credential version endCredentials moves;
 * server sessions are deleted by endCredentials itself.
 */
export function installRevocationListeners(deps: { events: SecurityEvents; tokens: TokenService; oauthGrants: GrantManager }): void {
  deps.events.on('revoked', async (event) => {
    switch (event.kind) {
      case 'user': {
        const keep = event.keep;
        await deps.tokens.revokeUser(event.userId, event.reason, keep?.kind === 'jwt' ? keep.id : null);
        await deps.oauthGrants.revokeUser(event.userId, keep?.kind === 'oauth' ? keep.id : null);
        return;
      }
      case 'family':
        await deps.tokens.revokeFamilies(event.familyIds, 'admin');
        return;
      default:
        return;
    }
  });
}
