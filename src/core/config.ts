import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { GatehouseError } from './errors.js';

const Seconds = (def: number, description: string) => Type.Integer({ minimum: 1, default: def, description: `${description} (seconds)` });
const section = <T extends Parameters<typeof Type.Object>[0]>(props: T, description: string) =>
  Type.Object(props, { default: {}, description, additionalProperties: false });

/** A sign-in provider declared in configuration (the same fields as `gatehouse provider add`). */
export const DeclaredProvider = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
    /** Defaults to the id when the id names a preset (google, kakao, naver, github). */
    kind: Type.Optional(Type.Union([Type.Literal('oidc'), Type.Literal('google'), Type.Literal('kakao'), Type.Literal('naver'), Type.Literal('github')])),
    issuer: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Required once the file and environment entries of the same id are joined. */
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    clientSecret: Type.Optional(Type.String({ maxLength: 2000, secret: true })),
    scope: Type.Optional(Type.String({ maxLength: 1000 })),
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    trustEmail: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/**
 * The one configuration schema, every default and unit documented here and in docs/configuration.md.
 * It is validated once at start; contradictions refuse to start (see `checkContradictions`).
 */
export const ConfigSchema = Type.Object(
  {
    server: section(
      {
        host: Type.String({ default: '127.0.0.1', description: 'Address the app node listens on' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'Port (0 = ephemeral)' }),
        publicUrl: Type.Optional(Type.String({ description: 'External origin, e.g. https://auth.example.com (GATEHOUSE_PUBLIC_URL)' })),
        dataDir: Type.String({ default: './.gatehouse', description: 'Directory for the SQLite file, the instance secret and keys' }),
        nodeId: Type.Optional(Type.String({ description: 'Name of this node in logs, metrics and headers' })),
        trustProxy: Type.Union([Type.Boolean(), Type.String()], {
          default: false,
          description:
            'Which proxy addresses may set X-Forwarded-For (fastify trustProxy: false, or a comma-separated list of addresses/CIDRs such as the balancer\'s). Off by default: a lone node trusts no forwarding header (GATEHOUSE_TRUST_PROXY)',
        }),
        proxyProtocol: Type.Boolean({
          default: false,
          description: 'Every connection starts with a PROXY protocol v1/v2 header (behind an L4 balancer); the client address comes from it and X-Forwarded-For is ignored (GATEHOUSE_PROXY_PROTOCOL=1)',
        }),
        metricsToken: Type.Optional(Type.String({ minLength: 16, secret: true, description: '/metrics answers loopback clients, or a request with `Authorization: Bearer <token>` (GATEHOUSE_METRICS_TOKEN)' })),
        bodyLimitBytes: Type.Integer({ minimum: 1024, default: 65_536, description: 'Largest accepted request body (bytes) of a route that sets no limit of its own' }),
        authBodyLimitBytes: Type.Integer({ minimum: 512, default: 4_096, description: 'Largest accepted request body of an authentication route, /api/auth/… (bytes)' }),
        shutdownGraceMs: Type.Integer({ minimum: 0, default: 10_000, description: 'Time in-flight requests get on SIGTERM (ms)' }),
      },
      'HTTP server',
    ),
    storage: section(
      {
        databaseUrl: Type.Optional(Type.String({ secret: 'url', description: 'postgres://… selects PostgreSQL; unset = SQLite in the data dir (DATABASE_URL)' })),
        redisUrl: Type.Optional(Type.String({ secret: 'url', description: 'redis://… selects Redis for sessions, throttles, deny-lists, socket fan-out (REDIS_URL)' })),
        keyPrefix: Type.String({ default: 'gh:', description: 'Prefix of every Redis key' }),
        redisCommandTimeoutMs: Type.Integer({ minimum: 100, default: 2_000, description: 'A Redis command (also one queued while disconnected) fails after this long, so no request hangs on a frozen Redis (ms)' }),
        databaseStatementTimeoutMs: Type.Integer({ minimum: 100, default: 3_000, description: 'PostgreSQL statement_timeout and client query timeout (ms)' }),
        databaseConnectTimeoutMs: Type.Integer({ minimum: 100, default: 2_000, description: 'Longest wait for a PostgreSQL connection, new or from the pool (ms)' }),
        sqliteLockWaitMs: Type.Integer({ minimum: 0, default: 500, description: 'Longest wait for the SQLite database lock before a write fails as a 503; the node stalls meanwhile (ms)' }),
        retryAfterSec: Type.Integer({ minimum: 1, default: 5, description: 'Retry-After of a 503 while a store is unavailable (seconds)' }),
      },
      'Storage',
    ),
    passwords: section(
      {
        memoryCostKiB: Type.Integer({ minimum: 1024, default: 19_456, description: 'argon2id memory (KiB); OWASP: 19 MiB' }),
        timeCost: Type.Integer({ minimum: 1, default: 2, description: 'argon2id iterations' }),
        parallelism: Type.Integer({ minimum: 1, default: 1, description: 'argon2id lanes' }),
        minLength: Type.Integer({ minimum: 8, default: 8, description: 'Shortest allowed password (characters)' }),
        maxLength: Type.Integer({ minimum: 64, default: 128, description: 'Longest allowed password (characters); ASVS asks ≥ 64' }),
      },
      'Password hashing and rules',
    ),
    throttle: section(
      {
        accountFreeAttempts: Type.Integer({ minimum: 1, default: 5, description: 'Failures per account before delays start' }),
        ipFreeAttempts: Type.Integer({ minimum: 1, default: 20, description: 'Failures per client IP before delays start' }),
        baseDelayMs: Type.Integer({ minimum: 1, default: 1_000, description: 'First delay; doubles with each further failure (ms)' }),
        maxAccountDelayMs: Type.Integer({ minimum: 1, default: 60_000, description: 'Cap of an account delay, so an attacker cannot lock a user out for long (ms)' }),
        maxIpDelayMs: Type.Integer({ minimum: 1, default: 900_000, description: 'Cap of a client-IP delay (ms)' }),
        windowSec: Seconds(900, 'How long failures are remembered'),
      },
      'Login throttling',
    ),
    sessions: section(
      {
        idleTimeoutSec: Seconds(1800, 'Sliding idle timeout of a server-side session'),
        absoluteLifetimeSec: Seconds(604_800, 'Absolute lifetime of a server-side session'),
        store: Type.Union([Type.Literal('auto'), Type.Literal('memory'), Type.Literal('sql'), Type.Literal('redis')], {
          default: 'auto',
          description: 'auto = Redis when REDIS_URL is set, else SQL',
        }),
        cacheSize: Type.Integer({
          minimum: 0,
          default: 10_000,
          description:
            'Sessions each node keeps in memory (least recently used leave first), never older than userCache.maxAgeSec; 0 = off. Served on embedded SQLite while the user cache\'s change feed vouches (so userCache.size must be above 0), with sessions in Redis while Redis tracks this node\'s reads (client-side caching, Redis 6 or later); not on PostgreSQL without Redis',
        }),
      },
      'Server-side sessions',
    ),
    userCache: section(
      {
        size: Type.Integer({ minimum: 0, default: 10_000, description: 'Users each node keeps in memory for the credential check (least recently used leave first); 0 = off, every request reads the store' }),
        maxAgeSec: Seconds(30, 'Longest a cached user is served, whatever the change feed says (a bound should an invalidation ever be missed)'),
      },
      'Per-node user cache (invalidated by PostgreSQL NOTIFY or SQLite data_version)',
    ),
    cookies: section(
      {
        sealedLifetimeSec: Seconds(86_400, 'Lifetime of the sealed auth cookie'),
        secure: Type.Union([Type.Literal('auto'), Type.Boolean()], {
          default: 'auto',
          description: 'Secure flag; auto = on for https and localhost (browsers treat both as secure contexts), off with plain cookie names and a warning for other plain-HTTP hosts',
        }),
      },
      'Cookies',
    ),
    tokens: section(
      {
        algorithm: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256'), Type.Literal('RS256')], { default: 'EdDSA', description: 'Signing algorithm of access tokens' }),
        accessTtlSec: Seconds(600, 'Access token lifetime'),
        refreshIdleSec: Seconds(1_209_600, 'A refresh family dies when unused this long'),
        refreshAbsoluteSec: Seconds(2_592_000, 'A refresh family dies this long after login, used or not'),
        refreshGraceSec: Type.Integer({ minimum: 0, default: 10, description: 'A retried refresh token gets the same successor within this window (seconds)' }),
        keyRotationSec: Seconds(2_592_000, 'Automatic signing key rotation interval'),
        clockToleranceSec: Type.Integer({ minimum: 0, maximum: 300, default: 30, description: 'Clock skew allowed on exp / nbf / iat (seconds)' }),
        audience: Type.Optional(Type.String({ description: 'aud of first-party access tokens; default <public url>/api' })),
      },
      'JWT access and refresh tokens',
    ),
    oauth: section(
      {
        dynamicRegistration: Type.Boolean({ default: false, description: 'Allow RFC 7591 dynamic client registration (and RFC 7592 management)' }),
        allowLoopbackFetch: Type.Boolean({ default: false, description: 'Let the provider fetch client URLs (jwks_uri, backchannel_logout_uri) on loopback addresses: development and tests only' }),
        initialAccessToken: Type.Optional(Type.String({ minLength: 32, secret: true, description: 'Bearer token a client must present to register itself (RFC 7591 §3); strongly advised with dynamicRegistration' })),
        accessTtlSec: Seconds(600, 'OAuth access token lifetime'),
        refreshTtlSec: Seconds(1_209_600, 'OAuth refresh token lifetime'),
      },
      'OAuth 2.0 / OpenID Connect server',
    ),
    realtime: section(
      {
        maxMessageBytes: Type.Integer({ minimum: 64, default: 4_096, description: 'Largest chat message text (bytes)' }),
        messagesPerSecond: Type.Integer({ minimum: 1, default: 10, description: 'Per-socket message rate limit' }),
        maxSocketsPerUser: Type.Integer({ minimum: 1, default: 20, description: 'Sockets one user may hold open on a node at once; one more is refused with GH_REALTIME_TOO_MANY_SOCKETS' }),
        expiringNoticeSec: Seconds(60, 'auth:expiring is sent this long before a socket credential expires'),
        clusterRequestTimeoutMs: Type.Integer({ minimum: 50, default: 500, description: 'Cross-node requests (presence) answer with what the nodes that replied in this time said (ms)' }),
        nodeTimeoutMs: Type.Integer({ minimum: 500, default: 3_000, description: 'A node silent this long is treated as gone by the IPC cluster adapter; it sends a heartbeat every third of it (ms)' }),
        historyRetentionSec: Type.Integer({ minimum: 0, default: 7_776_000, description: 'Chat history older than this is deleted by housekeeping; 0 keeps it forever (seconds)' }),
        adapter: Type.Union([Type.Literal('auto'), Type.Literal('memory'), Type.Literal('cluster'), Type.Literal('redis')], {
          default: 'auto',
          description: 'auto = Redis Streams with REDIS_URL, cluster under `gatehouse up`, else memory',
        }),
      },
      'Realtime',
    ),
    federation: section(
      {
        providersFile: Type.Optional(Type.String({ description: 'YAML or JSON file listing sign-in providers, read at start (GATEHOUSE_PROVIDERS_FILE)' })),
        providers: Type.Optional(
          Type.Array(DeclaredProvider, {
            description: 'Sign-in providers declared in configuration instead of with `gatehouse provider add` (docs/oauth.md)',
          }),
        ),
      },
      'Sign-in with other providers (Google, Kakao, Naver, GitHub, any OIDC issuer)',
    ),
    mail: section(
      {
        smtpUrl: Type.Optional(Type.String({ secret: 'url', description: 'smtp:// or smtps:// server mail is sent through; unset = the outbox in the store, read by admins (SMTP_URL)' })),
        from: Type.String({ default: 'gatehouse <no-reply@localhost>', description: 'From address of account mail (MAIL_FROM)' }),
        verifyTtlSec: Seconds(86_400, 'Lifetime of an email verification link'),
        resetTtlSec: Type.Integer({ minimum: 60, maximum: 1_800, default: 1_800, description: 'Lifetime of a password reset link (seconds, at most 30 minutes)' }),
        resendIntervalSec: Seconds(60, 'Shortest time between two verification mails to one account'),
        resetPerEmail: Type.Integer({ minimum: 1, default: 3, description: 'Reset mails one address may ask for per hour' }),
        resetPerIp: Type.Integer({ minimum: 1, default: 20, description: 'Reset requests one client IP may make per hour' }),
      },
      'Account mail (verification, password reset)',
    ),
    housekeeping: section(
      {
        intervalSec: Seconds(600, 'How often expired sessions, key-value entries (deny-list, throttles, sign-in state), refresh families, OAuth records and old chat history are deleted; one node of those sharing a database does it at a time'),
        batchSize: Type.Integer({ minimum: 1, maximum: 100_000, default: 500, description: 'Rows one delete statement removes at most, so no sweep holds a lock or the event loop for long' }),
        maxBatchesPerRun: Type.Integer({ minimum: 1, default: 200, description: 'Batches of one kind a run deletes at most; what is left waits for the next run' }),
      },
      'Housekeeping (reclaiming expired rows)',
    ),
    lab: section(
      {
        syncHashOnLoop: Type.Boolean({ default: false, description: 'LAB ONLY: hash passwords synchronously on the event loop to show the cost of blocking' }),
      },
      'I/O lab switches',
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface LoadedConfig {
  config: Config;
  /** Insecure-but-allowed settings; the caller logs each once. */
  warnings: string[];
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const current = target[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
      merge(current as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/** Validates and completes a configuration, later layers winning. Throws GH_CORE_CONFIG_*. */
export function loadConfig(...layers: DeepPartial<Config>[]): LoadedConfig {
  const raw: Record<string, unknown> = {};
  for (const layer of layers) merge(raw, structuredClone(layer));
  const withDefaults = Value.Default(ConfigSchema, raw);
  const errors = [...Value.Errors(ConfigSchema as TSchema, withDefaults)];
  if (errors.length > 0) {
    const list = errors.slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`).join('; ');
    throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: `The configuration is not valid: ${list}` });
  }
  const config = withDefaults as Config;
  checkContradictions(config);
  return { config, warnings: insecureSettings(config) };
}

function checkContradictions(config: Config): void {
  const problems: string[] = [];
  if (config.sessions.idleTimeoutSec > config.sessions.absoluteLifetimeSec) {
    problems.push('sessions.idleTimeoutSec is longer than sessions.absoluteLifetimeSec');
  }
  if (config.tokens.accessTtlSec > config.tokens.refreshIdleSec || config.tokens.accessTtlSec > config.tokens.refreshAbsoluteSec) {
    problems.push('tokens.accessTtlSec would let an access token outlive its refresh family (refreshIdleSec / refreshAbsoluteSec)');
  }
  if (config.tokens.refreshIdleSec > config.tokens.refreshAbsoluteSec) {
    problems.push('tokens.refreshIdleSec is longer than tokens.refreshAbsoluteSec');
  }
  if (config.tokens.refreshGraceSec * 1000 >= config.tokens.accessTtlSec * 1000) {
    problems.push('tokens.refreshGraceSec must be shorter than tokens.accessTtlSec');
  }
  if (config.passwords.minLength > config.passwords.maxLength) {
    problems.push('passwords.minLength is longer than passwords.maxLength');
  }
  if (config.server.proxyProtocol && config.server.trustProxy !== false) {
    problems.push('server.proxyProtocol takes the client address from the PROXY header; server.trustProxy must then be off (X-Forwarded-For is ignored)');
  }
  if (config.oauth.accessTtlSec > config.oauth.refreshTtlSec) {
    problems.push('oauth.accessTtlSec is longer than oauth.refreshTtlSec');
  }
  if (problems.length > 0) {
    throw new GatehouseError('GH_CORE_CONFIG_CONTRADICTION', {
      message: `Refusing to start: ${problems.join('; ')}.`,
    });
  }
}

function insecureSettings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.cookies.secure === false) warnings.push('cookies.secure is off: cookies travel over plain HTTP.');
  if (config.lab.syncHashOnLoop) warnings.push('lab.syncHashOnLoop is on: password hashing blocks the event loop (lab only).');
  if (config.passwords.memoryCostKiB < 19_456) warnings.push('passwords.memoryCostKiB is below the OWASP minimum of 19 MiB.');
  if (config.oauth.allowLoopbackFetch) warnings.push('oauth.allowLoopbackFetch is on: the provider fetches client URLs on this machine (development only).');
  if (config.oauth.dynamicRegistration && !config.oauth.initialAccessToken) warnings.push('oauth.dynamicRegistration is on without oauth.initialAccessToken: anyone can register a client.');
  return warnings;
}

/** The origin people reach this node at, e.g. http://localhost:3000. */
export function publicOrigin(config: Config): string {
  if (config.server.publicUrl) return new URL(config.server.publicUrl).origin;
  const host = config.server.host === '0.0.0.0' || config.server.host === '127.0.0.1' ? 'localhost' : config.server.host;
  return `http://${host}:${config.server.port}`;
}
