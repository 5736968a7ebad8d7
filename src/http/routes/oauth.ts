import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ALL_SCOPES, OIDC_MOUNT, sendInteractionError, type Granted, type OauthModule } from '../../oauth/index.js';
import { OauthClientView, GrantList, AppList, OauthClientList, ClientSecretRotated } from '../../core/index.js';
import type { AppContext } from '../context.js';
import type { AuthHooks } from '../guard.js';
import { passwordStep, secondFactorStep } from '../login.js';
import { signInAmr } from '../step-up.js';
import { registerResourceCors } from '../resource-cors.js';
import { requestMeta } from '../request-meta.js';
import { setPageHeaders } from '../security-headers.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const ClientCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    redirect_uris: Type.Array(Type.String({ maxLength: 2000 }), { minItems: 1, maxItems: 20 }),
    type: Type.Union([Type.Literal('public'), Type.Literal('confidential')]),
    scopes: Type.Optional(Type.Array(Type.Union(ALL_SCOPES.map((s) => Type.Literal(s))), { maxItems: 20 })),
    post_logout_redirect_uris: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

/** True when oidc-provider's response cleared its session cookie: the user chose to sign out of gatehouse. */
/** The provider's public documents (discovery, keys), which caches may keep. */
const PUBLIC_OIDC_PATH = /^\/oidc\/(?:jwks|\.well-known\/)/;

function endedProviderSession(setCookie: ReturnType<FastifyReply['raw']['getHeader']>): boolean {
  const lines = Array.isArray(setCookie) ? setCookie : typeof setCookie === 'string' ? [setCookie] : [];
  return lines.some((line) => /^gh\.op\.session=;/.test(line) && /expires=Thu, 01 Jan 1970/i.test(line));
}

/**
 * What this plugin reads of the node: the parts of the OAuth module it mounts (not its adapter or its
 * resolver, which the context wires into the guard), the login steps (identity, origin), the web
 * sign-in it reuses (sessions, cookies, kv), revocation events and the grants listing (database).
 */
export type OauthRouteDeps = Pick<AppContext, 'kv' | 'cookies' | 'database' | 'identity' | 'origin' | 'sessions' | 'events' | 'logger'> & {
  readonly oauth: Pick<OauthModule, 'server' | 'grants' | 'clients' | 'interactions' | 'webOrigins'>;
};

/**
 * OAuth 2.0 / OIDC: oidc-provider mounted under /oidc on this server, gatehouse's interaction
 * pages (login, consent), the user's grants, the clients admin API and the example protected resources.
 */
export function oauthRoutes(ctx: OauthRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { server, grants, clients, interactions } = ctx.oauth;

    // The /oidc tree: request bodies stay unread (oidc-provider and the interaction forms read the raw
    // stream), and responses are written by them, so each handler hijacks its reply.
    await app.register(async (oidc) => {
      oidc.removeAllContentTypeParsers();
      oidc.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      // Absolute URLs (discovery, redirects) come from the configured origin, never the request's Host.
      const publicUrl = new URL(ctx.origin);
      const forwarded = (request: FastifyRequest) => ({ protocol: publicUrl.protocol.slice(0, -1), host: publicUrl.host, ip: request.ip });
      const passThrough = async (request: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        setPageHeaders(reply.raw);
        // Every answer of the provider but its public metadata and keys is someone's: codes, tokens,
        // forms holding a session's xsrf secret. Most routes say no-store themselves; the device-code
        // page did not, so it is the default here (a route that sets its own header still wins).
        if (!PUBLIC_OIDC_PATH.test(request.raw.url ?? '')) reply.raw.setHeader('cache-control', 'no-store');
        try {
          await server.handle(request.raw, reply.raw, forwarded(request));
        } catch (error) {
          ctx.logger.error({ err: error }, 'oidc request failed');
          sendInteractionError(reply.raw, error);
        }
      };
      // The endpoints that store something before anyone has signed in (an interaction, a logout
      // confirmation): limited per client address so a script cannot grow the store without bound.
      const stateCreating = { schema: { hide: true }, config: { rateLimit: { max: 60, timeWindow: '1 minute' } } };
      oidc.all('/oidc/auth', stateCreating, passThrough);
      oidc.all('/oidc/session/end', stateCreating, passThrough);
      // The device page's code lookups: RFC 8628 §5.1 asks for a bound on guessing user codes.
      oidc.all('/oidc/device', { schema: { hide: true }, config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, passThrough);
      oidc.all('/oidc', { schema: { hide: true } }, passThrough);
      oidc.all('/oidc/*', { schema: { hide: true } }, passThrough);
      // RFC 8414 §3.1, path-aware form for the issuer <origin>/oidc: the same document (and issuer) as
      // OpenID discovery, so OAuth-only clients find the server too.
      oidc.get('/.well-known/oauth-authorization-server/oidc', { schema: { hide: true } }, async (request, reply) => {
        request.raw.url = `${OIDC_MOUNT}/.well-known/openid-configuration`;
        return passThrough(request, reply);
      });

      type Run = (request: FastifyRequest, res: FastifyReply['raw']) => Promise<void>;
      const interaction = (run: Run) => async (request: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        setPageHeaders(reply.raw);
        // Login and consent pages show who is signing in: no cache may keep them.
        reply.raw.setHeader('cache-control', 'no-store');
        try {
          await run(request, reply.raw);
        } catch (error) {
          sendInteractionError(reply.raw, error);
        }
      };
      const auditGrant = (request: FastifyRequest, granted: Granted) =>
        ctx.identity.audit.record({ type: 'oauth.grant', userId: granted.accountId, ...requestMeta(request), data: { clientId: granted.clientId, grantId: granted.grantId, scopes: granted.scopes } });
      const uidParams = { schema: { hide: true, params: Type.Object({ uid: Type.String({ maxLength: 128 }) }) } };
      oidc.get(
        '/oidc/interaction/:uid',
        { ...uidParams, preHandler: hooks.optionalAuth() },
        interaction(async (request, res) => {
          // A user signed in to gatehouse itself (session or sealed cookie) is not asked for the password again.
          const principal = request.principal;
          const kind = principal?.credential.kind;
          const webSignIn = principal && (kind === 'session' || kind === 'cookie') ? principal : null;
          const granted = await interactions.show(request.raw, res, webSignIn ? { userId: webSignIn.userId, amr: await signInAmr(ctx, webSignIn) } : null);
          if (granted) await auditGrant(request, granted);
        }),
      );
      oidc.post(
        '/oidc/interaction/:uid/login',
        { ...uidParams, config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
        interaction(async (request, res) => {
          await interactions.login(request.raw, res, (email, password, uid) => passwordStep(ctx, request, { email, password }, 'oauth', uid));
        }),
      );
      oidc.post(
        '/oidc/interaction/:uid/second-factor',
        { ...uidParams, config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
        interaction(async (request, res) => {
          await interactions.secondFactor(request.raw, res, (ticket, code, uid) => secondFactorStep(ctx, request, { ticket, code }, 'oauth', uid));
        }),
      );
      oidc.post(
        '/oidc/interaction/:uid/confirm',
        uidParams,
        interaction(async (request, res) => {
          await auditGrant(request, await interactions.confirm(request.raw, res));
        }),
      );
      oidc.post('/oidc/interaction/:uid/abort', uidParams, interaction(async (request, res) => interactions.abort(request.raw, res)));
      oidc.post(
        '/oidc/interaction/:uid/create',
        { ...uidParams, config: { rateLimit: { max: 20, timeWindow: '1 minute' } } },
        interaction(async (request, res) => {
          const created = await interactions.create(request.raw, res, (input) => ctx.identity.signup(input));
          if (created) await ctx.identity.audit.record({ type: 'signup', userId: created.accountId, ...requestMeta(request), data: { via: 'oauth' } });
        }),
      );
      // RP-initiated logout, "yes, sign me out": oidc-provider ends its session (and tells every client
      // by back-channel); the user's gatehouse web session ends with it, so signing out means signed out.
      oidc.post('/oidc/session/end/confirm', { schema: { hide: true } }, async (request, reply) => {
        await passThrough(request, reply);
        if (!endedProviderSession(reply.raw.getHeader('set-cookie'))) return;
        const token = request.cookies[ctx.cookies.names.session];
        const session = token ? await ctx.sessions.destroy(token) : null;
        if (session) {
          await ctx.identity.audit.record({ type: 'logout', userId: session.userId, ...requestMeta(request), data: { mode: 'oidc-logout' } });
          await ctx.events.revoked({ kind: 'session', userId: session.userId, sessionIds: [session.id] });
        }
      });
    });

    const tags = ['oauth'];
    // Managing grants is managing the account: first-party credentials only (the guard's default lane).
    app.get(
      '/api/oauth/grants',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'Applications the caller granted access to, one row per provider grant', response: { 200: GrantList, ...errorResponses } } },
      async (request) => ({ grants: await grants.list(request.principal!.userId) }),
    );
    app.delete(
      '/api/oauth/grants/:id',
      {
        preHandler: hooks.requireAuth(),
        schema: { tags, summary: 'Revoke a grant and every token issued under it', params: Type.Object({ id: Type.String({ maxLength: 255 }) }), response: { 204: Type.Null(), 404: ErrorBody, ...errorResponses } },
      },
      async (request, reply) => {
        const principal = request.principal!;
        const { clientId } = await grants.revoke(principal.userId, request.params.id);
        await ctx.identity.audit.record({ type: 'oauth.revoke', userId: principal.userId, ...requestMeta(request), data: { clientId, grantId: request.params.id } });
        await ctx.events.revoked({ kind: 'app', userId: principal.userId, clientId, grantIds: [request.params.id] });
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/oauth/apps',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'Apps the caller allowed: one entry per client', response: { 200: AppList, ...errorResponses } } },
      async (request) => ({ apps: await grants.listApps(request.principal!.userId) }),
    );
    app.delete(
      '/api/oauth/apps/:clientId',
      {
        preHandler: hooks.requireAuth(),
        schema: {
          tags,
          summary: "Revoke an app: every grant, code, access and refresh token of the client for the caller, and the sockets they opened",
          params: Type.Object({ clientId: Type.String({ maxLength: 255 }) }),
          response: { 204: Type.Null(), 404: ErrorBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal!;
        const { clientId } = request.params;
        const grantIds = await grants.revokeApp(principal.userId, clientId);
        await ctx.identity.audit.record({ type: 'oauth.app.revoke', userId: principal.userId, ...requestMeta(request), data: { clientId, grants: grantIds.length } });
        await ctx.events.revoked({ kind: 'app', userId: principal.userId, clientId, grantIds });
        return reply.status(204).send(null);
      },
    );

    const admin = { preHandler: hooks.requireAuth({ roles: ['admin'] }) };
    app.get('/api/oauth/clients', { ...admin, schema: { tags, summary: 'OAuth clients (admin)', response: { 200: OauthClientList, ...errorResponses } } }, async () => ({
      clients: await clients.list(),
    }));
    app.post(
      '/api/oauth/clients',
      { ...admin, schema: { tags, summary: 'Register an OAuth client (admin); the secret is shown once', body: ClientCreate, response: { 201: OauthClientView, ...errorResponses } } },
      async (request, reply) => {
        const body = request.body;
        const created = await clients.create({
          name: body.name,
          redirectUris: body.redirect_uris,
          type: body.type,
          ...(body.scopes ? { scopes: body.scopes } : {}),
          ...(body.post_logout_redirect_uris ? { postLogoutRedirectUris: body.post_logout_redirect_uris } : {}),
        });
        await ctx.identity.audit.record({ type: 'admin.client.create', userId: request.principal!.userId, ...requestMeta(request), data: { clientId: created.client_id, actorId: request.principal!.userId } });
        return reply.status(201).send(created);
      },
    );
    app.post(
      '/api/oauth/clients/:id/rotate-secret',
      {
        ...admin,
        schema: { tags, summary: 'Give a confidential client a new secret, shown once (admin)', params: Type.Object({ id: Type.String({ maxLength: 255 }) }), response: { 200: ClientSecretRotated, 404: ErrorBody, ...errorResponses } },
      },
      async (request) => {
        const rotated = await clients.rotateSecret(request.params.id);
        await ctx.identity.audit.record({ type: 'admin.client.rotate-secret', userId: request.principal!.userId, ...requestMeta(request), data: { clientId: rotated.client_id, actorId: request.principal!.userId } });
        return rotated;
      },
    );
    app.delete(
      '/api/oauth/clients/:id',
      { ...admin, schema: { tags, summary: 'Delete an OAuth client and its grants (admin)', params: Type.Object({ id: Type.String({ maxLength: 255 }) }), response: { 204: Type.Null(), 404: ErrorBody, ...errorResponses } } },
      async (request, reply) => {
        await clients.delete(request.params.id);
        await ctx.identity.audit.record({ type: 'admin.client.delete', userId: request.principal!.userId, ...requestMeta(request), data: { clientId: request.params.id, actorId: request.principal!.userId } });
        return reply.status(204).send(null);
      },
    );

    // The example resource server: OAuth access tokens through the one guard, scope by scope.
    registerResourceCors(app, ctx.oauth.webOrigins);
    const rtags = ['resources'];
    app.get(
      '/api/resources/profile',
      { preHandler: hooks.requireAuth({ lane: 'resource', scopes: ['profile:read'] }), schema: { tags: rtags, summary: 'The user’s profile (needs profile:read)', security: [{ bearer: [] }] } },
      async (request) => {
        const p = request.principal!;
        const user = await ctx.identity.getUser(p.userId);
        return { sub: p.userId, email: p.email, name: p.name, createdAt: user?.createdAt ?? null, client_id: p.credential.clientId ?? null };
      },
    );
    app.get(
      '/api/resources/messages',
      { preHandler: hooks.requireAuth({ lane: 'resource', scopes: ['messages:read'] }), schema: { tags: rtags, summary: 'The user’s latest chat messages (needs messages:read)', security: [{ bearer: [] }] } },
      async (request) => {
        const p = request.principal!;
        const rows = await ctx.database.db
          .selectFrom('realtime_messages')
          .select(['id', 'room', 'text', 'ts'])
          .where('user_id', '=', p.userId)
          .where('room', 'like', 'room:%')
          .orderBy('ts', 'desc')
          .limit(50)
          .execute();
        return { messages: rows.map((r) => ({ id: r.id, room: r.room.slice('room:'.length), text: r.text, ts: r.ts })) };
      },
    );

  };
}
