import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError, isGatehouseError, type Authenticate, type CredentialResolver, type Principal, type RequestCredentials } from '../core/index.js';

/**
 * The one guard: every credential (session cookie, sealed cookie, bearer JWT, OAuth access token)
 * becomes a Principal here, for HTTP routes and Socket.IO handshakes alike. Resolvers are tried in
 * order; the first principal wins. A credential that is present but bad is an error, unless another
 * resolver accepts the request (a bearer token is offered to both the JWT and the OAuth resolver).
 */
export function createGuard(resolvers: readonly CredentialResolver[]): Authenticate {
  return async (request) => {
    let firstError: unknown = null;
    for (const resolver of resolvers) {
      try {
        const principal = await resolver.resolve(request);
        if (principal) return principal;
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError) throw firstError;
    return null;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireAuth (or optionalAuth): who the request acts for. */
    principal: Principal | null;
  }
}

export function requestCredentials(request: FastifyRequest, origin: string): RequestCredentials {
  return {
    method: request.method,
    url: new URL(request.url, origin).toString(),
    cookies: request.cookies,
    authorization: request.headers.authorization,
    headers: request.headers,
    ip: request.ip,
  };
}

/** RFC 6750 §3: the challenge a 401/403 from a protected resource carries. */
export function bearerChallenge(error?: GatehouseError, scope?: string): string {
  if (!error) return 'Bearer realm="gatehouse"';
  const code = error.statusCode === 403 ? 'insufficient_scope' : 'invalid_token';
  const parts = [`realm="gatehouse"`, `error="${code}"`, `error_description="${error.message.replace(/"/g, "'")}"`];
  if (scope) parts.push(`scope="${scope}"`);
  return `Bearer ${parts.join(', ')}`;
}

export interface AuthHooks {
  /** preHandler: 401 unless some credential resolves; `scopes` must all be granted for token credentials. */
  requireAuth(options?: { scopes?: string[]; roles?: string[] }): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** preHandler: resolves a principal when there is one, never refuses. */
  optionalAuth(): (request: FastifyRequest) => Promise<void>;
}

export function createAuthHooks(authenticate: Authenticate, origin: string): AuthHooks {
  const resolve = async (request: FastifyRequest): Promise<Principal | null> => {
    if (request.principal) return request.principal;
    request.principal = await authenticate(requestCredentials(request, origin));
    return request.principal;
  };
  return {
    requireAuth(options = {}) {
      return async (request) => {
        let principal: Principal | null;
        try {
          principal = await resolve(request);
        } catch (error) {
          if (isGatehouseError(error) && error.statusCode === 401 && !error.headers) {
            throw new GatehouseError(error.code, { message: error.message, headers: { 'WWW-Authenticate': bearerChallenge(error) } });
          }
          throw error;
        }
        if (!principal) {
          throw new GatehouseError('GH_AUTH_UNAUTHENTICATED', { headers: { 'WWW-Authenticate': bearerChallenge() } });
        }
        const tokenBased = principal.credential.kind === 'jwt' || principal.credential.kind === 'oauth';
        const missing = tokenBased ? (options.scopes ?? []).filter((s) => !principal.credential.scopes.includes(s)) : [];
        if (missing.length > 0) {
          const error = new GatehouseError('GH_TOKEN_INSUFFICIENT_SCOPE');
          throw new GatehouseError('GH_TOKEN_INSUFFICIENT_SCOPE', {
            details: { required: options.scopes },
            headers: { 'WWW-Authenticate': bearerChallenge(error, (options.scopes ?? []).join(' ')) },
          });
        }
        if (options.roles && !options.roles.every((r) => principal.roles.includes(r))) throw new GatehouseError('GH_AUTH_FORBIDDEN');
      };
    },
    optionalAuth() {
      return async (request) => {
        await resolve(request).catch(() => null);
      };
    },
  };
}
