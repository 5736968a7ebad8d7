import { GatehouseError, type Principal } from '../core/index.js';

/**
 * A third-party app's OAuth token acts for the user only as far as the user allowed: reading the chat
 * needs `messages:read`, speaking in it needs `messages:write`. First-party credentials (cookie,
 * session, gatehouse's own JWT) are the user in person and carry no such limits.
 */
export const CHAT_READ_SCOPE = 'messages:read';
export const CHAT_WRITE_SCOPE = 'messages:write';

/** Events that speak as the user; a read-only socket gets GH_TOKEN_INSUFFICIENT_SCOPE for them. */
export const WRITE_EVENTS: ReadonlySet<string> = new Set(['message:send', 'message:direct', 'typing', 'broadcast']);

export function checkThirdPartyScopes(principal: Principal | null): void {
  if (principal?.credential.kind === 'oauth' && !principal.credential.scopes.includes(CHAT_READ_SCOPE)) {
    throw new GatehouseError('GH_TOKEN_INSUFFICIENT_SCOPE', { details: { required: [CHAT_READ_SCOPE] } });
  }
}

export function isReadOnly(principal: Principal): boolean {
  return principal.credential.kind === 'oauth' && !principal.credential.scopes.includes(CHAT_WRITE_SCOPE);
}
