import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createContext, type AppContext, type ContextOptions } from './context.js';
import { installCsrfCheck } from './csrf.js';
import { installErrorHandler } from './error-handler.js';
import { answerClientError } from './client-error.js';
import { createAuthHooks, type AuthHooks } from './guard.js';
import { installMetrics } from './metrics.js';
import { installBodyLimits } from './body-limits.js';
import { PAGE_HEADERS } from './security-headers.js';
import { installReplyHeaders } from './reply-headers.js';
import { requestLogController } from './request-log.js';
import { acceptProxyProtocol, type ProxyHeaderReader } from './proxy-protocol.js';
import { GatehouseError } from '../core/index.js';
import { disconnectRevoked } from './realtime-link.js';
import { clusterLinksFromEnv, clusterRoutes } from './routes/cluster.js';
import { nodeStatsRoutes } from './routes/node-stats.js';
import { docsRoutes } from './routes/docs.js';
import { webRoutes } from './routes/web.js';
import { createRealtime, type Realtime } from '../realtime/index.js';
import { createFederationModule } from '../federation/index.js';
import type { GatehouseServer } from './server.js';
import { accountRoutes } from './routes/account.js';
import { cookieAuthRoutes } from './routes/cookie-auth.js';
import { healthRoutes } from './routes/health.js';
import { sessionAuthRoutes } from './routes/session-auth.js';
import { jwtAuthRoutes } from './routes/jwt.js';
import { oauthRoutes } from './routes/oauth.js';
import { federationRoutes } from './routes/federation.js';
import { accountLifecycleRoutes } from './routes/account-lifecycle.js';
import { secondFactorRoutes } from './routes/second-factor.js';
import { passkeyRoutes } from './routes/passkeys.js';
import { adminRoutes } from './routes/admin.js';
import { swaggerFavicon } from './favicon.js';

export interface GatehouseApp {
  app: GatehouseServer;
  ctx: AppContext;
  hooks: AuthHooks;
  /** Socket.IO chat on this node's HTTP server (built here, not in the context: it needs the server). */
  realtime: Realtime;
  /** Starts listening (config.server.host/port); resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops taking requests, lets in-flight ones finish, closes stores. */
  close(): Promise<void>;
}

export interface BuildAppOptions extends ContextOptions {
  /** An already built context (tests share one between apps); otherwise one is created. */
  context?: AppContext;
  /** The PROXY protocol reader (the balancer's), needed when server.proxyProtocol is on. */
  readProxyHeader?: ProxyHeaderReader;
}

/** The composition root: one node of gatehouse, every feature registered as a plugin. */
export async function buildApp(options: BuildAppOptions = {}): Promise<GatehouseApp> {
  const ctx = options.context ?? (await createContext(options));
  const { config } = ctx;
  const readProxyHeader = options.readProxyHeader;
  if (config.server.proxyProtocol && !readProxyHeader) {
    throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: 'server.proxyProtocol is on but this process has no PROXY protocol reader.' });
  }
  const app: GatehouseServer = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: without it the instance is typed with pino's Logger and is no GatehouseServer
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // With the PROXY protocol the address comes from its header and no forwarding header is believed.
    trustProxy: config.server.proxyProtocol ? false : config.server.trustProxy,
    ...(config.server.proxyProtocol && readProxyHeader
      ? {
          serverFactory: (handler: Parameters<typeof createServer>[1]) => {
            const server = createServer(handler);
            acceptProxyProtocol(server, readProxyHeader, ctx.logger);
            return server;
          },
        }
      : {}),
    bodyLimit: config.server.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // One line per completed request instead of Fastify's two (request-log.ts).
    logController: requestLogController(ctx.logger),
    // Keep the raw client mistakes (bad JSON, oversize) inside our error handler: never a crash.
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  for (const warning of ctx.warnings) ctx.logger.warn(warning);

  let closed = false;
  installErrorHandler(app, { retryAfterSec: config.storage.retryAfterSec });
  installReplyHeaders(app, { nodeId: config.server.nodeId ?? 'node', closing: () => closed });
  await app.register(cookie);
  // Request-rate limits fail open (skipOnError): they guard capacity, not credentials, and a Redis
  // outage must not turn pages into errors. Credential checks and the login throttle fail closed.
  await app.register(rateLimit, { global: false, skipOnError: true, ...(ctx.redis ? { redis: ctx.redis, nameSpace: `${config.storage.keyPrefix}rl:` } : {}) });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'gatehouse', version: '0.1.0', description: 'Cookies, sessions, JWT, OAuth 2.0 / OIDC, realtime and load balancing.' },
      servers: [{ url: ctx.origin }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: ctx.cookies.names.session },
          sealedCookie: { type: 'apiKey', in: 'cookie', name: ctx.cookies.names.auth },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs/api',
    theme: { favicon: swaggerFavicon() },
    uiHooks: {
      onRequest: (_request, reply, done) => {
        void reply.headers(PAGE_HEADERS);
        done();
      },
    },
  });

  const registry = installMetrics(app, { nodeId: config.server.nodeId ?? 'node' });
  const selfOrigins = sameSiteOrigins(ctx.origin);
  installBodyLimits(app, { authBytes: config.server.authBodyLimitBytes });
  installCsrfCheck(app, { selfOrigins, credentialCookies: [ctx.cookies.names.session, ctx.cookies.names.auth, ctx.cookies.names.refresh] });
  const hooks = createAuthHooks(ctx.authenticate, ctx.origin);
  app.decorateRequest('principal', null);
  // Every route's credential declaration, recorded as it registers (the credentials page is built from it).
  app.addHook('onRoute', hooks.recordRoute);

  await app.register(healthRoutes(ctx, registry));
  await app.register(accountRoutes(ctx, hooks));
  await app.register(cookieAuthRoutes(ctx));
  await app.register(sessionAuthRoutes(ctx, hooks));
  await app.register(jwtAuthRoutes(ctx, hooks));
  await app.register(oauthRoutes(ctx, hooks));
  // Built here, not in createContext: it reads the declared providers' file, which the CLI's user
  // commands (they build a context) must not depend on.
  const federation = await createFederationModule({ federation: config.federation, db: ctx.database.db, kv: ctx.kv, clock: ctx.clock, ids: ctx.ids, secret: ctx.secret });
  await app.register(federationRoutes(ctx, federation, hooks));
  await app.register(accountLifecycleRoutes(ctx, hooks));
  await app.register(secondFactorRoutes(ctx, hooks));
  await app.register(passkeyRoutes(ctx, hooks));
  await app.register(adminRoutes(ctx, hooks));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Socket.IO shares the HTTP server, and the same guard, so it is built here once the server exists and
  // never attached to the context. Ending credentials reaches live sockets through the one late-bound
  // link the root owns: endCredentials only emits 'revoked' on ctx.events (built before any socket), and
  // this subscription, made once, closes the sockets those credentials opened, on every node.
  const realtime = await createRealtime({
    httpServer: app.server,
    authenticate: ctx.authenticate,
    origin: selfOrigins.join(','),
    db: ctx.database.db,
    redis: ctx.redis,
    clock: ctx.clock,
    ids: ctx.ids,
    config,
    logger: ctx.logger,
  });
  ctx.events.on('revoked', (event) => disconnectRevoked(realtime, event));
  app.addHook('preClose', async () => realtime.close());
  await app.register(nodeStatsRoutes(ctx, () => realtime.stats()));
  await app.register(clusterRoutes(clusterLinksFromEnv(options.env ?? process.env), hooks));
  await app.register(docsRoutes());
  await app.register(webRoutes());

  await app.ready();
  return {
    app,
    ctx,
    hooks,
    realtime,
    async listen() {
      await app.listen({ host: config.server.host, port: config.server.port });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : config.server.port;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Past the grace period, whatever is still open is cut (a hung client must not block shutdown).
      const cut = setTimeout(() => app.server.closeAllConnections(), config.server.shutdownGraceMs);
      cut.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      if (!options.context) await ctx.close();
    },
  };
}

/** localhost and 127.0.0.1 name the same site in development; accept either as "ourselves". */
function sameSiteOrigins(origin: string): string[] {
  const url = new URL(origin);
  const twins = [origin];
  if (url.hostname === 'localhost') twins.push(origin.replace('localhost', '127.0.0.1'));
  if (url.hostname === '127.0.0.1') twins.push(origin.replace('127.0.0.1', 'localhost'));
  return twins;
}
