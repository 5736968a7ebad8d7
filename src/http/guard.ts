import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import {
  GatehouseError,
  isGatehouseError,
  type Authenticate,
  type CredentialKind,
  type CredentialResolver,
  type Principal,
  type RequestCredentials,
} from '../core/index.js';

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
    // Only a DPoP proof reads the absolute URL; parsing it for every request cost more than a cookie
    // check, so it is built when read.
    get url() {
      return new URL(request.url, origin).toString();
    },
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

/**
 * A lane is the set of credential kinds a route admits. First-party credentials are the ones the user
 * holds themselves (a sealed cookie, a server session, a JWT from gatehouse's own login); a third-party
 * OAuth token was handed to some client for a few scopes and must never manage the account it came from.
 */
export type CredentialLane = 'first-party' | 'resource';

export const LANE_KINDS: Readonly<Record<CredentialLane, readonly CredentialKind[]>> = {
  'first-party': ['session', 'cookie', 'jwt'],
  // Resource-server routes: an OAuth token reaches them for the scopes it carries.
  resource: ['session', 'cookie', 'jwt', 'oauth'],
};

/** What a route declared to the guard; the credentials page is generated from these. */
export interface AuthDeclaration {
  lane: CredentialLane;
  /** false: optionalAuth (the route also answers anonymous callers). */
  required: boolean;
  scopes: string[];
  roles: string[];
}

/** One route's declaration, as recorded when the route was registered. */
export interface DeclaredRoute extends AuthDeclaration {
  method: string;
  url: string;
}

const DECLARATION = Symbol('gatehouse.auth-declaration');
type DeclaredHook = { [DECLARATION]?: AuthDeclaration };

function declare<T extends object>(hook: T, declaration: AuthDeclaration): T {
  (hook as DeclaredHook)[DECLARATION] = declaration;
  return hook;
}

/** The guard declaration among a route's preHandlers, if it has one. */
export function declarationOf(route: Pick<RouteOptions, 'preHandler'>): AuthDeclaration | null {
  const hooks = Array.isArray(route.preHandler) ? route.preHandler : route.preHandler ? [route.preHandler] : [];
  for (const hook of hooks) {
    const found = (hook as DeclaredHook)[DECLARATION];
    if (found) return found;
  }
  return null;
}

export interface AuthOptions {
  /** Default 'first-party': an OAuth token is refused unless the route says it is a resource. */
  lane?: CredentialLane;
  /** Must all be granted to token credentials (JWT, OAuth). */
  scopes?: string[];
  roles?: string[];
}

export interface AuthHooks {
  /** preHandler: 401 unless a credential of the route's lane resolves; `scopes` must all be granted for token credentials. */
  requireAuth(options?: AuthOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** preHandler: resolves a principal when there is one of the lane, never refuses (other kinds read as anonymous). */
  optionalAuth(options?: Pick<AuthOptions, 'lane'>): (request: FastifyRequest) => Promise<void>;
  /** Every guarded route registered so far, with what it declared (an onRoute hook fills it). */
  readonly routes: readonly DeclaredRoute[];
  /** Fastify onRoute hook that records declarations into `routes`. */
  recordRoute(route: RouteOptions): void;
}

export function createAuthHooks(authenticate: Authenticate, origin: string): AuthHooks {
  const resolve = async (request: FastifyRequest): Promise<Principal | null> => {
    if (request.principal) return request.principal;
    request.principal = await authenticate(requestCredentials(request, origin));
    return request.principal;
  };
  const routes: DeclaredRoute[] = [];
  return {
    routes,
    recordRoute(route) {
      const declaration = declarationOf(route);
      if (!declaration) return;
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        routes.push({ method, url: route.url, ...declaration });
      }
    },
    requireAuth(options = {}) {
      const lane = options.lane ?? 'first-party';
      const accepted = LANE_KINDS[lane];
      const hook = async (request: FastifyRequest) => {
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
        if (!accepted.includes(principal.credential.kind)) {
          throw new GatehouseError('GH_AUTH_CREDENTIAL_NOT_ACCEPTED', { details: { credential: principal.credential.kind, accepts: [...accepted] } });
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
      return declare(hook, { lane, required: true, scopes: [...(options.scopes ?? [])], roles: [...(options.roles ?? [])] });
    },
    optionalAuth(options = {}) {
      const lane = options.lane ?? 'first-party';
      const accepted = LANE_KINDS[lane];
      const hook = async (request: FastifyRequest) => {
        const principal = await resolve(request).catch(() => null);
        // A credential of another lane is no identity here: the route sees an anonymous caller.
        if (principal && !accepted.includes(principal.credential.kind)) request.principal = null;
      };
      return declare(hook, { lane, required: false, scopes: [], roles: [] });
    },
  };
}
