import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { AdapterFactory, errors as ProviderErrors } from 'oidc-provider';
import { deriveKey, isGatehouseError, type Clock, type Config, type Logger } from '../../core/index.js';
import type { User } from '../../identity/index.js';
import { isStorageFault, isUnstorableText, UNSTORABLE_TEXT_MESSAGE, type Database, type KeyValueStore, type RedisClient, type UserChangeFeed } from '../../storage/index.js';
import { createOidcAdapterFactory, temporarilyUnavailableBody } from '../adapter/factory.js';
import { createProviderSessionVersions } from './session-credentials.js';
import { createAccessTokenRevocations, type AccessTokenRevocations } from '../resource/access-token-jwt.js';
import { createDefaultApiResource } from './default-resource.js';
import { DEVICE_PAGE_PATH, installDeviceVerificationUri } from './device-verification.js';
import { installJwtTokenEndpoints } from './jwt-token-endpoints.js';
import { skipPersistOfUnsavedSessions } from './unsaved-session.js';
import type { OidcSigningKeys } from './signing-keys.js';

/**
 * oidc-provider (and the configuration built from its classes) loads when the first provider is built,
 * not with this module: the CLI's commands that only touch the store (`user create`, `client list`, …)
 * build the app's context without serving OAuth, and so never load it nor print its warning about the
 * Node.js release.
 */
function loadProviderLibrary() {
  return Promise.all([import('oidc-provider'), import('./configuration.js')]);
}

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
  /**
   * Shared short-lived state (Redis or SQL): which credential version each provider session began
   * under, and grants whose API resource was defaulted.
   */
  kv: KeyValueStore;
  /** The node's SQLite change feed: client rows are then remembered per node (adapter/sql-adapter.ts). */
  changes?: UserChangeFeed | null | undefined;
  /** 'memory': oidc-provider's own development adapter — the benchmark's ceiling, never for serving. */
  adapter?: 'gatehouse' | 'memory';
  /**
   * Wraps every client-secret comparison (token, introspection, revocation endpoints): the HTTP layer
   * throttles and audits guesses here. It may throw GH_AUTH_THROTTLED, answered as a 429.
   */
  checkClientSecret?: (input: { clientId: string; ip: string }, compare: () => Promise<boolean>) => Promise<boolean>;
}

/** What the HTTP layer already decided about the request oidc-provider is running. */
export interface ForwardedRequest {
  protocol: string;
  host: string;
  /** The client address after the HTTP layer's own proxy rules. */
  ip: string;
}

export interface AuthorizationServer {
  issuer: string;
  /** Resource indicator and `aud` of access tokens for gatehouse's API. */
  apiResource: string;
  /** The storage adapter factory the provider uses (undefined with the in-memory ceiling adapter). */
  adapter: AdapterFactory | undefined;
  /** The oidc-provider instance, rebuilt when the keystore's signing key has rotated. */
  getProvider(): Promise<Provider>;
  /** After consent: records whether the grant's API resource was defaulted (see default-resource.ts). */
  rememberGrant(grantId: string, params: Record<string, unknown>): Promise<void>;
  /** Revoked JWT access tokens, shared with the resource server's resolver. */
  revocations: AccessTokenRevocations;
  /**
   * Runs a raw request whose URL starts with /oidc through oidc-provider. `forwarded` is the protocol,
   * host and client address the HTTP layer already trusts (configured origin, its own proxy rules).
   */
  handle(req: IncomingMessage, res: ServerResponse, forwarded: ForwardedRequest): Promise<void>;
}

export function createAuthorizationServer(deps: AuthorizationServerDeps): AuthorizationServer {
  const issuer = `${deps.origin}${OIDC_MOUNT}`;
  const devicePage = `${deps.origin}${DEVICE_PAGE_PATH}`;
  const apiResource = deps.config.tokens.audience ?? `${deps.origin}/api`;
  const adapter =
    deps.adapter === 'memory'
      ? undefined
      : createOidcAdapterFactory({
          db: deps.db,
          redis: deps.redis ?? undefined,
          prefix: deps.config.storage.keyPrefix,
          clock: deps.clock,
          changes: deps.changes,
          cacheMaxAgeMs: deps.config.userCache.maxAgeSec * 1000,
        });
  const cookieKeys = [Buffer.from(deriveKey(deps.secret, 'gatehouse/oidc-cookies')).toString('base64url')];
  const sessionVersions = createProviderSessionVersions(deps.kv, deps.config.sessions.absoluteLifetimeSec * 1000);
  const apiDefaults = createDefaultApiResource({ apiResource, kv: deps.kv, grantTtlMs: deps.config.oauth.refreshTtlSec * 1000 });
  const revocations = createAccessTokenRevocations(deps.kv, deps.clock, deps.config.tokens.clockToleranceSec);
  const accessTokenLifeMs = (deps.config.oauth.accessTtlSec + deps.config.tokens.clockToleranceSec) * 1000;
  let current: { kid: string; provider: Provider; callback: ReturnType<Provider['callback']> } | null = null;
  let building: Promise<Provider> | null = null;
  const running = new AsyncLocalStorage<{ ip: string; res: ServerResponse }>();

  async function build(kid: string): Promise<Provider> {
    const [{ default: OidcProvider, errors }, { buildConfiguration }] = await loadProviderLibrary();
    const jwks = await deps.keys.privateJwks();
    const configuration = buildConfiguration({
      config: deps.config,
      apiResource,
      jwks: jwks,
      alg: deps.config.tokens.algorithm,
      cookieKeys,
      adapter,
      getUser: deps.getUser,
      sessionVersions,
      apiDefaults,
      devicePage,
    });
    const provider = new OidcProvider(issuer, configuration);
    // The HTTP layer rewrites X-Forwarded-* to what it already trusts, so koa may read them.
    provider.proxy = true;
    installDeviceVerificationUri(provider, devicePage);
    // Every 503 of the provider says when to come back, like the rest of gatehouse's 503s. First, so
    // it sees the status every later middleware leaves (the JWT token endpoints' included).
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.status === 503) ctx.set('Retry-After', String(deps.config.storage.retryAfterSec));
    });
    installJwtTokenEndpoints(provider, {
      verifier: { issuer, apiResource, keys: deps.keys, clock: deps.clock, clockToleranceSec: deps.config.tokens.clockToleranceSec },
      revocations,
      cutOffTtlMs: accessTokenLifeMs,
    });
    skipPersistOfUnsavedSessions(provider);
    if (deps.checkClientSecret) guardClientSecrets(provider, errors, deps.checkClientSecret, () => running.getStore());
    provider.on('server_error', (ctx, error) => {
      if (isUnstorableText(error)) {
        // A NUL in a client's parameter reached PostgreSQL: the client's mistake, not ours.
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: UNSTORABLE_TEXT_MESSAGE };
        return;
      }
      if (!isStorageFault(error)) return deps.logger.error({ err: error }, 'oidc-provider server error');
      // A store outage outside the adapter (an account lookup): 503 "retry shortly", not a 500. The
      // listener runs before koa writes the response, so the status and JSON body can still change.
      deps.logger.warn({ err: error }, 'oidc-provider: a store is unavailable');
      ctx.status = 503;
      if (ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body)) {
        ctx.body = temporarilyUnavailableBody();
      }
    });
    current = { kid, provider, callback: provider.callback() };
    return provider;
  }

  async function getProvider(): Promise<Provider> {
    // Every lane's keys (RS256 for ID tokens beside the configured one) are in the provider's JWKS, so
    // any of them changing (a rotation, a retirement) rebuilds it.
    const kid = (await deps.keys.jwks()).keys.map((k) => k.kid).join(' ');
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
    rememberGrant: apiDefaults.rememberGrant,
    revocations,
    async handle(req, res, forwarded) {
      await getProvider();
      req.headers['x-forwarded-proto'] = forwarded.protocol;
      req.headers['x-forwarded-host'] = forwarded.host;
      // koa (proxy = true) would otherwise take a client-supplied X-Forwarded-For as the address.
      req.headers['x-forwarded-for'] = forwarded.ip;
      // Express-style mount: oidc-provider derives its mount path from originalUrl minus url.
      const raw = req.url ?? '/';
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = raw;
      req.url = raw.slice(OIDC_MOUNT.length) || '/';
      if (!req.url.startsWith('/')) req.url = `/${req.url}`;
      await running.run({ ip: forwarded.ip, res }, () => current!.callback(req, res));
    },
  };
}

/** Routes oidc-provider's client-secret comparison through `check`, which may refuse with a 429. */
function guardClientSecrets(
  provider: Provider,
  errors: typeof ProviderErrors,
  check: NonNullable<AuthorizationServerDeps['checkClientSecret']>,
  current: () => { ip: string; res: ServerResponse } | undefined,
): void {
  type WithCompare = { clientId: string; compareClientSecret(actual: string): Promise<boolean> | boolean };
  const proto = provider.Client.prototype as unknown as WithCompare;
  const original = proto.compareClientSecret;
  proto.compareClientSecret = async function compareClientSecret(this: WithCompare, actual: string) {
    const request = current();
    const compare = async () => Boolean(await original.call(this, actual));
    if (!request) return compare();
    try {
      return await check({ clientId: this.clientId, ip: request.ip }, compare);
    } catch (error) {
      if (!isGatehouseError(error) || error.code !== 'GH_AUTH_THROTTLED') throw error;
      const retryAfter = String(error.details?.retryAfter ?? 1);
      if (!request.res.headersSent) request.res.setHeader('Retry-After', retryAfter);
      const refused = new errors.OIDCProviderError(429, 'invalid_client');
      Object.assign(refused, { error_description: `Too many failed client authentications; retry in ${retryAfter} s.` });
      throw refused;
    }
  };
}
