import {
  configFromEnv,
  cryptoIds,
  loadConfig,
  loadInstanceSecret,
  publicOrigin,
  systemClock,
  silentLogger,
  type Authenticate,
  type Clock,
  type Config,
  type CredentialResolver,
  type DeepPartial,
  type IdSource,
  type Logger,
} from '../core/index.js';
import {
  createDatabase,
  createRedis,
  createRedisKeyTracking,
  createRedisKeyValueStore,
  redisKeyValueChanges,
  createSqlKeyValueStore,
  createUserChangeFeed,
  durabilityWarnings,
  migrateToLatest,
  type DatabaseHandle,
  type DatabaseOptions,
  type KeyValueStore,
  type Housekeeping,
  type RedisClient,
  type RedisKeyTracking,
  type UserChangeFeed,
} from '../storage/index.js';
import { createIdentity, type Identity } from '../identity/index.js';
import {
  createCachedSessionStore,
  redisSessionChanges,
  createMemorySessionStore,
  createRedisSessionStore,
  createSessionManager,
  createSqlSessionStore,
  type SessionManager,
  type SessionStore,
} from '../sessions/index.js';
import { createCookiePolicy, createCookieSealer, type CookiePolicy, type CookieSealer } from '../cookies/index.js';
import { createTokenService, type TokenService } from '../tokens/index.js';
import { createOauthModule, throttledClientSecretCheck, type OauthModule } from '../oauth/index.js';
import { createSessionResolver } from './credentials/session.js';
import { createSealedCookieResolver } from './credentials/sealed-cookie.js';
import { createGuard } from './guard.js';
import { createSecurityEvents, type SecurityEvents } from './events.js';
import { installRevocationListeners } from './revocation-listeners.js';
import { GatehouseError } from '../core/index.js';
import { createMailer, type Mailer } from '../mail/index.js';
import { createAccountLinks } from './accounts/links.js';
import { createUserRecords } from './accounts/user-records.js';
import { createAccountService, type AccountService } from './accounts/service.js';
import { createUserAdmin, type UserAdmin } from './accounts/admin.js';
import { createNodeHousekeeping } from './housekeeping.js';

/**
 * Every service of a node, built once by createContext and never changed after. It is the composition
 * root's inventory, not something a feature reaches into: each route plugin declares the few fields it
 * reads (a `Pick` of this type) and buildApp hands it this object, which satisfies them all. Socket.IO
 * is not here: it needs the HTTP server, so buildApp builds it and returns it beside the context.
 */
export interface AppContext {
  readonly config: Config;
  /** Insecure-but-allowed settings, logged once at start. */
  readonly warnings: string[];
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** The external origin (scheme://host:port) cookies, CSRF checks and issuers are bound to. */
  readonly origin: string;
  readonly secret: string;
  readonly database: DatabaseHandle;
  readonly redis: RedisClient | null;
  /** Shared short-lived state: Redis when configured, else the SQL table. */
  readonly kv: KeyValueStore;
  readonly identity: Identity;
  readonly sessions: SessionManager;
  readonly cookies: CookiePolicy;
  readonly sealer: CookieSealer;
  /** JWT mode: keystore (shared with OAuth), access tokens, refresh families, deny-list. */
  readonly tokens: TokenService;
  /**
   * The one guard, HTTP's and Socket.IO's: it tries the credential resolvers in the order declared once
   * in createContext. The list itself is not exposed, so no second guard can order them differently.
   */
  readonly authenticate: Authenticate;
  readonly events: SecurityEvents;
  /** The OAuth / OIDC feature: provider, grants, clients, interactions, its resolver. */
  readonly oauth: OauthModule;
  /** Account mail: SMTP_URL, or the outbox in the store. */
  readonly mailer: Mailer;
  /** Email verification, password reset, email change, account deletion. */
  readonly accounts: AccountService;
  /** Operator actions on users (console and CLI). */
  readonly userAdmin: UserAdmin;
  /** Reclaims expired rows on a schedule (one node at a time); started here, stopped by close(). */
  readonly housekeeping: Housekeeping;
  /** Closes what the context opened (database, Redis), in reverse order. */
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Configuration layers over the defaults and the environment. */
  config?: DeepPartial<Config>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  /** Skip migrations (a supervisor already ran them). */
  skipMigrations?: boolean;
}

export async function createContext(options: ContextOptions = {}): Promise<AppContext> {
  const { config, warnings } = loadConfig(configFromEnv(options.env ?? process.env), options.config ?? {});
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? cryptoIds;
  const logger = options.logger ?? silentLogger();
  const origin = publicOrigin(config);
  const { secret } = await loadInstanceSecret({ dataDir: config.server.dataDir, fromEnv: (options.env ?? process.env).GATEHOUSE_SECRET });

  const closers: (() => Promise<unknown>)[] = [];
  try {
    // Migrations run on their own handle, free of the request-time statement bounds.
    if (!options.skipMigrations) await prepareStore(config);
    const database = createDatabase(databaseOptions(config));
    closers.push(() => database.close());
    const redis = config.storage.redisUrl ? createRedis(config.storage.redisUrl, { name: `gatehouse-${config.server.nodeId ?? 'node'}`, commandTimeoutMs: config.storage.redisCommandTimeoutMs }) : null;
    if (redis) closers.push(() => redis.quit().catch(() => redis.disconnect()));
    const prefix = config.storage.keyPrefix;
    const kv = redis ? createRedisKeyValueStore(redis, clock, { prefix }) : createSqlKeyValueStore(database.db, clock);

    const sessionsInRedis = redis !== null && (config.sessions.store === 'redis' || config.sessions.store === 'auto');
    warnings.push(...(await durabilityWarnings({ database, redis, sessionsInRedis })));

    // What tells this node's user cache about writes made elsewhere; opened lazily (PostgreSQL LISTEN).
    const userChanges =
      config.userCache.size > 0
        ? createUserChangeFeed(database, {
            databaseUrl: config.storage.databaseUrl,
            connectTimeoutMs: config.storage.databaseConnectTimeoutMs,
            applicationName: `gatehouse-user-changes-${config.server.nodeId ?? 'node'}`,
            clock,
          })
        : null;
    if (userChanges) closers.push(() => userChanges.close());
    const identity = createIdentity({ db: database.db, kv, clock, ids, config, logger, userChanges });
    // Redis tells this node when an entry it read changes (client-side caching): the session cache and
    // the deny-list's "not denied" memory read through its tracked connection. Two more connections.
    const tracking = redis ? createRedisKeyTracking(redis, { name: `gatehouse-${config.server.nodeId ?? 'node'}` }) : null;
    if (tracking) closers.push(() => tracking.close());
    const sessions = createSessionManager({ store: sessionStore(config, database, redis, tracking, clock, userChanges), clock, ids, config });
    const cookies = createCookiePolicy({ origin, secure: config.cookies.secure });
    if (cookies.warning) warnings.push(cookies.warning);
    const sealer = createCookieSealer({ secret, clock, lifetimeSec: config.cookies.sealedLifetimeSec });

    // Every credential resolves its user through here: a disabled account is refused with a clear code
    // even if some credential escaped endCredentials (minted during the disable, say). The read is the
    // revocation check, so it comes from the user cache only while that cache's feed vouches for it.
    const activeUser = async (id: string) => {
      const user = await identity.currentUser(id);
      if (user?.disabledAt != null) throw new GatehouseError('GH_AUTH_ACCOUNT_DISABLED');
      return user;
    };
    const activeIdentity: Identity = { ...identity, getUser: activeUser };
    const tokens = await createTokenService({
      db: database.db,
      // On Redis the deny-list reads (and writes) through the tracked connection.
      kv: tracking ? createRedisKeyValueStore(tracking.reader, clock, { prefix }) : kv,
      secret,
      clock,
      ids,
      config,
      issuer: origin,
      getUser: activeUser,
      onError: (error) => logger.error({ err: error }, 'token housekeeping failed'),
      // What reports deny-list writes: the SQLite feed for the key-value table, Redis tracking for Redis.
      denyListChanges: tracking ? redisKeyValueChanges(tracking, prefix) : userChanges,
    });
    closers.push(async () => tokens.close());
    // The OAuth feature, built whole (provider, adapter, grants, clients, interactions, its resolver);
    // the routes only mount it. Client secrets are throttled and audited like passwords.
    const oauth = createOauthModule({
      config,
      origin,
      secret,
      db: database.db,
      redis,
      kv,
      clock,
      ids,
      logger,
      keys: tokens.keystore,
      getUser: (id) => identity.getUser(id),
      checkClientSecret: throttledClientSecretCheck(identity),
      // Clients always live in this database (a durable model), Redis or not.
      changes: userChanges,
    });
    // The one place the guard's order is declared. Cookies first (a browser's own credentials); then the
    // two bearer readers, OAuth before the first-party JWT: both read bearer tokens and the guard reports
    // the first error, so the resolver that owns the token (this issuer's at+jwt) must speak first. Ahead
    // of both, a first-party JWT this node has already verified is taken as such (with every per-use
    // check) without the OAuth resolver's peek into it; any other token goes on to the two readers.
    const resolvers: readonly CredentialResolver[] = [
      createSessionResolver({ sessions, identity: activeIdentity, cookieName: cookies.names.session }),
      createSealedCookieResolver({ sealer, identity: activeIdentity, cookieName: cookies.names.auth }),
      tokens.bearerResolver(activeUser, { knownOnly: true }),
      oauth.resolver,
      tokens.bearerResolver(activeUser),
    ];
    const events = createSecurityEvents((error) => logger.error({ err: error }, 'a revocation listener failed'));
    // Revocations reach refresh families, live access tokens and OAuth grants before anything else.
    installRevocationListeners({ events, tokens, oauthGrants: oauth.grants });
    const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, db: database.db, clock, ids, logger });
    closers.push(async () => mailer.close());
    const records = createUserRecords(database.db, identity.changingUser);
    const links = createAccountLinks({ db: database.db, clock, ids });
    const accounts = createAccountService({ identity, sessions, events, kv, clock, config, logger, origin, mailer, links, records });
    closers.push(() => accounts.idle());
    const userAdmin = createUserAdmin({ identity, sessions, events, clock, records, notifyFactorsReset: (user) => accounts.notifySecondFactorChange(user, 'second-factor-reset', 'en') });
    const housekeeping = createNodeHousekeeping({ config, database, clock, ids, logger, sessions, tokens });
    housekeeping.start();
    closers.push(() => housekeeping.stop());
    return {
      config,
      warnings,
      clock,
      ids,
      logger,
      origin,
      secret,
      database,
      redis,
      kv,
      identity,
      sessions,
      cookies,
      sealer,
      tokens,
      authenticate: createGuard(resolvers),
      events,
      oauth,
      mailer,
      accounts,
      userAdmin,
      housekeeping,
      async close() {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw error;
  }
}

function sessionStore(config: Config, database: DatabaseHandle, redis: RedisClient | null, tracking: RedisKeyTracking | null, clock: Clock, changes: UserChangeFeed | null): SessionStore {
  const choice = config.sessions.store === 'auto' ? (redis ? 'redis' : 'sql') : config.sessions.store;
  const cacheOptions = { size: config.sessions.cacheSize, maxAgeMs: config.userCache.maxAgeSec * 1000, clock };
  if (choice === 'redis') {
    if (!redis) throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: 'sessions.store is redis but REDIS_URL is not set.' });
    const prefix = config.storage.keyPrefix;
    if (config.sessions.cacheSize === 0 || !tracking) return createRedisSessionStore(redis, clock, { prefix });
    const store = createRedisSessionStore(redis, clock, { prefix, reader: tracking.reader });
    return createCachedSessionStore(store, { ...cacheOptions, ...redisSessionChanges(tracking, prefix) });
  }
  if (choice === 'memory') return createMemorySessionStore(clock);
  const store = createSqlSessionStore(database.db, clock);
  // Only where session rows are watched (SQLite's feed): elsewhere every request reads the store.
  if (!changes?.sessions || config.sessions.cacheSize === 0) return store;
  return createCachedSessionStore(store, { ...cacheOptions, feed: changes, sessionChanges: changes.sessions });
}

/** The store bounds of the configuration, for every database handle a node opens. */
export function databaseOptions(config: Config): DatabaseOptions {
  return {
    databaseUrl: config.storage.databaseUrl,
    dataDir: config.server.dataDir,
    statementTimeoutMs: config.storage.databaseStatementTimeoutMs,
    connectTimeoutMs: config.storage.databaseConnectTimeoutMs,
    lockWaitMs: config.storage.sqliteLockWaitMs,
  };
}

/** Creates or upgrades the schema once, before several nodes start on the same store. */
export async function prepareStore(config: Config): Promise<string[]> {
  const database = createDatabase({ databaseUrl: config.storage.databaseUrl, dataDir: config.server.dataDir });
  try {
    return await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}
