import type { Kysely } from 'kysely';
import type { AdapterFactory } from 'oidc-provider';
import { deriveKey, type Clock, type Config, type CredentialResolver, type IdSource, type Logger } from '../core/index.js';
import type { User } from '../identity/index.js';
import type { Database, KeyValueStore, RedisClient, UserChangeFeed } from '../storage/index.js';
import { createOidcAdapterFactory } from './adapter/factory.js';
import { createClientManager, type ClientManager } from './clients/clients.js';
import { createWebOriginPolicy, type WebOriginPolicy } from './clients/web-origins.js';
import { createGrantManager, type GrantManager } from './grants/grants.js';
import { createInteractionHandlers, type InteractionHandlers } from './interactions/handlers.js';
import { createAuthorizationServer, type AuthorizationServer, type AuthorizationServerDeps } from './provider/server.js';
import type { OidcSigningKeys } from './provider/signing-keys.js';
import { createOauthResolver } from './resource/resolver.js';

export interface OauthModuleDeps {
  config: Config;
  /** Public origin of the deployment; the issuer is <origin>/oidc. */
  origin: string;
  /** The instance secret: cookie keys and the interaction forms' CSRF key derive from it. */
  secret: string;
  db: Kysely<Database>;
  redis: RedisClient | null;
  kv: KeyValueStore;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  /** The one keystore (src/tokens): signs ID and access tokens, verifies them at the resource server. */
  keys: OidcSigningKeys;
  /** Accounts as every credential sees them (a disabled one is refused with its code). */
  getUser(id: string): Promise<User | null>;
  checkClientSecret?: AuthorizationServerDeps['checkClientSecret'];
  /** The node's SQLite change feed: client rows are then remembered per node. */
  changes?: UserChangeFeed | null | undefined;
}

/** The OAuth feature, built in one place; the HTTP layer mounts its pieces and adds its resolver to the guard. */
export interface OauthModule {
  server: AuthorizationServer;
  /** oidc-provider's storage, shared by the provider, the grants and the client registry. */
  adapter: AdapterFactory;
  /** The user's side of grants (apps they allowed). */
  grants: GrantManager;
  /** The client registry the admin API manages (validated by the provider's own rules). */
  clients: ClientManager;
  /** gatehouse's login, consent and sign-up pages for the provider's interactions. */
  interactions: InteractionHandlers;
  /** The resource-server side: claims this issuer's at+jwt access tokens for the one guard. */
  resolver: CredentialResolver;
  /** Registered clients' browser origins, allowed to call the resource server (CORS). */
  webOrigins: WebOriginPolicy;
}

export function createOauthModule(deps: OauthModuleDeps): OauthModule {
  const server = createAuthorizationServer({
    config: deps.config,
    origin: deps.origin,
    secret: deps.secret,
    db: deps.db,
    redis: deps.redis,
    clock: deps.clock,
    logger: deps.logger,
    keys: deps.keys,
    getUser: deps.getUser,
    kv: deps.kv,
    ...(deps.checkClientSecret ? { checkClientSecret: deps.checkClientSecret } : {}),
    changes: deps.changes,
  });
  const adapter = server.adapter ?? createOidcAdapterFactory({ db: deps.db, redis: deps.redis ?? undefined, prefix: deps.config.storage.keyPrefix, clock: deps.clock });
  const grants = createGrantManager({ db: deps.db, adapter, clock: deps.clock });
  const clients = createClientManager({
    db: deps.db,
    ids: deps.ids,
    clock: deps.clock,
    validate: async (metadata) => (await server.getProvider()).Client.validate(metadata as never),
  });
  const interactions = createInteractionHandlers({
    getProvider: server.getProvider,
    csrfKey: deriveKey(deps.secret, 'gatehouse/oidc-interaction-csrf'),
    origin: deps.origin,
    getUser: deps.getUser,
    onGrant: server.rememberGrant,
  });
  const resolver = createOauthResolver({
    issuer: server.issuer,
    apiResource: server.apiResource,
    keys: deps.keys,
    clock: deps.clock,
    clockToleranceSec: deps.config.tokens.clockToleranceSec,
    kv: deps.kv,
    getUser: deps.getUser,
    grantAlive: (id) => grants.alive(id),
    revocations: server.revocations,
  });
  return {
    server,
    adapter,
    grants,
    clients,
    interactions,
    resolver,
    webOrigins: createWebOriginPolicy({ db: deps.db, clock: deps.clock }),
  };
}
