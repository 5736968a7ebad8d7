import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import Provider, { type AdapterFactory } from 'oidc-provider';
import { deriveKey, type Clock, type Config, type Logger } from '../../core/index.js';
import type { User } from '../../identity/index.js';
import { isStorageFault, type Database, type RedisClient } from '../../storage/index.js';
import { createOidcAdapterFactory, TEMPORARILY_UNAVAILABLE } from '../adapter/factory.js';
import { buildConfiguration } from './configuration.js';
import type { OidcSigningKeys } from './signing-keys.js';

/** Where the authorization server is mounted on the node's HTTP server. */
export const OIDC_MOUNT = '/oidc';

export interface AuthorizationServerDeps {
  config: Config;
  /** Public origin (scheme://host:port) of this deployment; the issuer is <origin>/oidc. */
  origin: string;
  secret: string;
  db: Kysely<Database>;
  redis: RedisClient | null;
  clock: Clock;
  logger: Logger;
  keys: OidcSigningKeys;
  getUser(id: string): Promise<User | null>;
  /** 'memory': oidc-provider's own development adapter — the benchmark's ceiling, never for serving. */
  adapter?: 'gatehouse' | 'memory';
}

export interface AuthorizationServer {
  issuer: string;
  /** Resource indicator and `aud` of access tokens for gatehouse's API. */
  apiResource: string;
  /** The storage adapter factory the provider uses (undefined with the in-memory ceiling adapter). */
  adapter: AdapterFactory | undefined;
  /** The oidc-provider instance, rebuilt when the keystore's signing key has rotated. */
  getProvider(): Promise<Provider>;
  /**
   * Runs a raw request whose URL starts with /oidc through oidc-provider. `forwarded` is the protocol
   * and host the HTTP layer already trusts (it applied its own trustProxy rules).
   */
  handle(req: IncomingMessage, res: ServerResponse, forwarded: { protocol: string; host: string }): Promise<void>;
}

export function createAuthorizationServer(deps: AuthorizationServerDeps): AuthorizationServer {
  const issuer = `${deps.origin}${OIDC_MOUNT}`;
  const apiResource = deps.config.tokens.audience ?? `${deps.origin}/api`;
  const adapter = deps.adapter === 'memory' ? undefined : createOidcAdapterFactory({ db: deps.db, redis: deps.redis ?? undefined, prefix: deps.config.storage.keyPrefix, clock: deps.clock });
  const cookieKeys = [Buffer.from(deriveKey(deps.secret, 'gatehouse/oidc-cookies')).toString('base64url')];
  let current: { kid: string; provider: Provider; callback: ReturnType<Provider['callback']> } | null = null;
  let building: Promise<Provider> | null = null;

  async function build(kid: string): Promise<Provider> {
    const jwks = await deps.keys.privateJwks();
    const configuration = buildConfiguration({
      config: deps.config,
      apiResource,
      jwks: jwks as never,
      alg: deps.config.tokens.algorithm,
      cookieKeys,
      adapter,
      getUser: deps.getUser,
    });
    const provider = new Provider(issuer, configuration);
    // The HTTP layer rewrites X-Forwarded-* to what it already trusts, so koa may read them.
    provider.proxy = true;
    provider.on('server_error', (ctx, error) => {
      if (!isStorageFault(error)) return deps.logger.error({ err: error }, 'oidc-provider server error');
      // A store outage outside the adapter (an account lookup): 503 "retry shortly", not a 500. The
      // listener runs before koa writes the response, so the status and JSON body can still change.
      deps.logger.warn({ err: error }, 'oidc-provider: a store is unavailable');
      ctx.status = 503;
      if (ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body)) {
        ctx.body = { error: TEMPORARILY_UNAVAILABLE, error_description: 'The authorization server cannot reach its data store; retry shortly.' };
      }
    });
    // Every 503 of the provider says when to come back, like the rest of gatehouse's 503s.
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.status === 503) ctx.set('Retry-After', String(deps.config.storage.retryAfterSec));
    });
    current = { kid, provider, callback: provider.callback() };
    return provider;
  }

  async function getProvider(): Promise<Provider> {
    const { kid } = await deps.keys.signingKey();
    if (current && current.kid === kid) return current.provider;
    building ??= build(kid).finally(() => {
      building = null;
    });
    return building;
  }

  return {
    issuer,
    apiResource,
    adapter,
    getProvider,
    async handle(req, res, forwarded) {
      await getProvider();
      req.headers['x-forwarded-proto'] = forwarded.protocol;
      req.headers['x-forwarded-host'] = forwarded.host;
      // Express-style mount: oidc-provider derives its mount path from originalUrl minus url.
      const raw = req.url ?? '/';
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = raw;
      req.url = raw.slice(OIDC_MOUNT.length) || '/';
      if (!req.url.startsWith('/')) req.url = `/${req.url}`;
      await current!.callback(req, res);
    },
  };
}
