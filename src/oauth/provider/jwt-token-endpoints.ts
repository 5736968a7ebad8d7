import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { isStorageFault } from '../../storage/index.js';
import { temporarilyUnavailableBody } from '../adapter/factory.js';
import { peekApiAccessToken, verifyApiAccessToken, type AccessTokenClaims, type AccessTokenRevocations, type ApiTokenVerifier } from '../resource/access-token-jwt.js';

export interface JwtTokenEndpointDeps {
  verifier: ApiTokenVerifier;
  revocations: AccessTokenRevocations;
  /** How long a grant cut-off must be remembered: the longest an access token of it can still verify. */
  cutOffTtlMs: number;
}

/**
 * oidc-provider answers `unsupported_token_type` when a JWT access token is introspected or revoked (it
 * does not store them). gatehouse issues those tokens, so it answers for them instead: RFC 7662 `active`
 * true/false at introspection, a deny-list entry at revocation (RFC 7009). The provider has already
 * authenticated the client by the time it refuses the token type, so this runs after it, on that refusal.
 * Revoking an opaque access token also cuts off the JWT access tokens of its grant (its "siblings").
 */
export function installJwtTokenEndpoints(provider: Provider, deps: JwtTokenEndpointDeps): void {
  provider.on('access_token.destroyed', (token: { grantId?: string }) => {
    if (token.grantId) void deps.revocations.cutOffGrant(token.grantId, deps.cutOffTtlMs).catch(() => {});
  });
  provider.use(async (ctx, next) => {
    await next();
    const oidcCtx = ctx as unknown as KoaContextWithOIDC;
    const route = oidcCtx.oidc?.route;
    if (route !== 'introspection' && route !== 'revocation') return;
    if (ctx.status !== 400 || (ctx.body as { error?: string } | undefined)?.error !== 'unsupported_token_type') return;
    const client = oidcCtx.oidc.client;
    const token = oidcCtx.oidc.params?.token;
    if (!client || typeof token !== 'string' || !peekApiAccessToken(token, deps.verifier.issuer)) return;
    const claims = await verifyApiAccessToken(token, deps.verifier).catch(() => null);
    // A public client may only see or revoke its own tokens; a confidential one (a resource server) may
    // introspect any, but only the client a token was issued to may revoke it (RFC 7009 §2.1).
    const own = claims?.client_id === client.clientId;
    try {
      if (route === 'revocation') {
        if (claims && own) await deps.revocations.revoke(claims);
        ctx.status = 200;
        ctx.body = '';
        return;
      }
      const visible = claims && (own || client.clientAuthMethod !== 'none');
      ctx.body = visible && (await alive(provider, claims, deps.revocations)) ? introspection(claims) : { active: false };
      ctx.status = 200;
    } catch (error) {
      // Past the provider's own error handling: a deny-list or grant store that is down must still be
      // the provider's 503 temporarily_unavailable, not koa's bare 500.
      if (!isStorageFault(error)) throw error;
      ctx.status = 503;
      ctx.body = temporarilyUnavailableBody();
    }
  });
}

async function alive(provider: Provider, claims: AccessTokenClaims, revocations: AccessTokenRevocations): Promise<boolean> {
  if (claims.grant_id) {
    const grant = await provider.Grant.find(claims.grant_id);
    if (!grant || grant.clientId !== claims.client_id) return false;
  }
  return !(await revocations.isRevoked(claims));
}

function introspection(claims: AccessTokenClaims): Record<string, unknown> {
  return {
    active: true,
    client_id: claims.client_id,
    sub: claims.sub,
    scope: claims.scope,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss,
    aud: claims.aud,
    jti: claims.jti,
    token_type: claims.cnf?.jkt ? 'DPoP' : 'Bearer',
    ...(claims.cnf?.jkt ? { cnf: { jkt: claims.cnf.jkt } } : {}),
  };
}
