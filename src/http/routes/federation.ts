import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { GatehouseError, sameOriginPath } from '../../core/index.js';
import {
  createFederationFlow,
  createLinkStore,
  createProviderRegistry,
  createSecretBox,
  resolveAccount,
  type ProviderKind,
} from '../../federation/index.js';
import type { AppContext } from '../context.js';
import type { AuthHooks } from '../guard.js';
import { requestMeta } from '../request-meta.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const STATE_COOKIE = 'gh.fedstate';
const STATE_PATH = '/api/auth/federation';

const ProviderView = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  kind: Type.String(),
  issuer: Type.Union([Type.String(), Type.Null()]),
});
const LinkView = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  emailVerified: Type.Boolean(),
  createdAt: Type.Number(),
  lastLoginAt: Type.Union([Type.Number(), Type.Null()]),
});
const ProviderParams = Type.Object({ provider: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) });

/**
 * Sign in with other providers (issue 4, point 8). Routes:
 *  GET  /api/auth/federation/providers             the configured providers (sign-in buttons)
 *  POST /api/auth/federation/providers             register one (admin): {id, kind, issuer?, clientId, clientSecret?, scope?}
 *  DELETE /api/auth/federation/providers/:id       (admin)
 *  GET  /api/auth/federation/:provider/start       ?return_to=/path[&link=1] → 302 to the provider
 *  GET  /api/auth/federation/:provider/callback    the redirect URI to register at the provider
 *  GET  /api/auth/federation/links                 the caller's linked providers
 *  DELETE /api/auth/federation/links/:id           unlink one
 * A successful callback signs the user in in session mode and redirects to return_to.
 */
export function federationRoutes(ctx: AppContext, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const registry = createProviderRegistry({ db: ctx.database.db, clock: ctx.clock, box: createSecretBox(ctx.secret) });
    const links = createLinkStore({ db: ctx.database.db, clock: ctx.clock, ids: ctx.ids });
    const flow = createFederationFlow({ registry, kv: ctx.kv, clock: ctx.clock, ids: ctx.ids, allowInsecureLoopback: true });
    const tags = ['federation'];
    const callbackUrl = (provider: string) => `${ctx.origin}${STATE_PATH}/${provider}/callback`;
    const stateCookie = (maxAge: number) => ({ httpOnly: true, secure: ctx.cookies.secure, sameSite: 'lax' as const, path: STATE_PATH, maxAge });

    app.get('/api/auth/federation/providers', { schema: { tags, summary: 'Sign-in providers', response: { 200: Type.Object({ providers: Type.Array(ProviderView) }) } } }, async () => ({
      providers: await registry.list(),
    }));
    app.post(
      '/api/auth/federation/providers',
      {
        preHandler: hooks.requireAuth({ roles: ['admin'] }),
        schema: {
          tags,
          summary: 'Register a sign-in provider (admin)',
          body: Type.Object(
            {
              id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
              kind: Type.Union(['oidc', 'google', 'kakao', 'naver', 'github'].map((k) => Type.Literal(k))),
              issuer: Type.Optional(Type.String({ maxLength: 2000 })),
              clientId: Type.String({ minLength: 1, maxLength: 512 }),
              clientSecret: Type.Optional(Type.String({ maxLength: 2000 })),
              scope: Type.Optional(Type.String({ maxLength: 1000 })),
              displayName: Type.Optional(Type.String({ maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: ProviderView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const view = await registry.add({
          id: b.id,
          kind: b.kind as ProviderKind,
          clientId: b.clientId,
          ...(b.issuer ? { issuer: b.issuer } : {}),
          ...(b.clientSecret ? { clientSecret: b.clientSecret } : {}),
          ...(b.scope !== undefined ? { scope: b.scope } : {}),
          ...(b.displayName ? { displayName: b.displayName } : {}),
        });
        return reply.status(201).send(view);
      },
    );
    app.delete(
      '/api/auth/federation/providers/:provider',
      { preHandler: hooks.requireAuth({ roles: ['admin'] }), schema: { tags, summary: 'Remove a sign-in provider (admin)', params: ProviderParams, response: { 204: Type.Null(), 404: ErrorBody, ...errorResponses } } },
      async (request, reply) => {
        await registry.remove(request.params.provider);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/auth/federation/:provider/start',
      {
        preHandler: hooks.optionalAuth(),
        // Each start stores a pending flow before sign-in: limited per client address.
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Start signing in (or, with link=1, linking) with a provider',
          params: ProviderParams,
          querystring: Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 2000 })), link: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')])) }),
        },
      },
      async (request, reply) => {
        // Refused outright (not silently replaced): a bad return address is a bug or an attack.
        const returnTo = request.query.return_to === undefined ? undefined : sameOriginPath(request.query.return_to);
        if (returnTo === null) throw new GatehouseError('GH_AUTH_RETURN_TO_INVALID', { details: { field: 'return_to' } });
        let linkTo: string | null = null;
        if (request.query.link === '1') {
          const p = request.principal;
          if (!p || p.credential.kind === 'oauth') throw new GatehouseError('GH_AUTH_UNAUTHENTICATED');
          linkTo = p.userId;
        }
        const { authorizationUrl, state } = await flow.start({
          providerId: request.params.provider,
          redirectUri: callbackUrl(request.params.provider),
          ...(returnTo ? { returnTo } : {}),
          linkToUserId: linkTo,
        });
        void reply.setCookie(STATE_COOKIE, state, stateCookie(600));
        return reply.redirect(authorizationUrl, 302);
      },
    );

    app.get(
      '/api/auth/federation/:provider/callback',
      { schema: { tags, summary: 'Redirect URI for the provider', params: ProviderParams }, config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
      async (request, reply) => {
        const bound = request.cookies[STATE_COOKIE];
        void reply.clearCookie(STATE_COOKIE, stateCookie(0));
        const result = await flow.callback({ providerId: request.params.provider, currentUrl: new URL(request.url, ctx.origin), boundState: bound });
        const resolution = await resolveAccount({ identity: ctx.identity, links, ids: ctx.ids }, result.external, result.linkToUserId);
        const meta = requestMeta(request);
        await ctx.identity.audit.record({
          type: result.linkToUserId ? 'federation.link' : 'login.success',
          userId: resolution.user.id,
          ...meta,
          data: { mode: 'federation', provider: result.external.provider, created: resolution.created, linked: resolution.linked },
        });
        if (!result.linkToUserId) {
          const previous = request.cookies[ctx.cookies.names.session];
          if (previous) await ctx.sessions.destroy(previous);
          const { token } = await ctx.sessions.create({ userId: resolution.user.id, ...meta });
          void reply.setCookie(ctx.cookies.names.session, token, ctx.cookies.options('session', ctx.config.sessions.absoluteLifetimeSec));
        }
        return reply.redirect(result.returnTo, 303);
      },
    );

    app.get(
      '/api/auth/federation/links',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: "The caller's linked providers", response: { 200: Type.Object({ links: Type.Array(LinkView) }), ...errorResponses } } },
      async (request) => {
        const p = request.principal!;
        if (p.credential.kind === 'oauth') throw new GatehouseError('GH_AUTH_FORBIDDEN');
        const list = await links.list(p.userId);
        return { links: list.map((l) => ({ id: l.id, provider: l.provider, email: l.email, emailVerified: l.emailVerified, createdAt: l.createdAt, lastLoginAt: l.lastLoginAt })) };
      },
    );
    app.delete(
      '/api/auth/federation/links/:id',
      {
        preHandler: hooks.requireAuth(),
        schema: { tags, summary: 'Unlink a provider', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), 404: ErrorBody, ...errorResponses } },
      },
      async (request, reply) => {
        const p = request.principal!;
        if (p.credential.kind === 'oauth') throw new GatehouseError('GH_AUTH_FORBIDDEN');
        await links.remove(p.userId, request.params.id);
        await ctx.identity.audit.record({ type: 'federation.unlink', userId: p.userId, ...requestMeta(request), data: { linkId: request.params.id } });
        return reply.status(204).send(null);
      },
    );
  };
}
