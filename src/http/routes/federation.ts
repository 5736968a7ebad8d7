import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError, isGatehouseError, ProviderAdminView, sameOriginPath, ProviderList, ProviderAdminList, LinkStart, LinkList } from '../../core/index.js';
import {
  callbackUrlFor,
  describeFailure,
  problemPagePath,
  resolveAccount,
  type FederationModule,
} from '../../federation/index.js';
import type { AppContext } from '../context.js';
import type { AuthHooks } from '../guard.js';
import { requestMeta } from '../request-meta.js';
import { ErrorBody, errorResponses } from '../schemas.js';

const STATE_COOKIE = 'gh.fedstate';
const STATE_PATH = '/api/auth/federation';
const SLUG = '^[a-z0-9][a-z0-9-]{0,62}$';

const ProviderParams = Type.Object({ provider: Type.String({ pattern: SLUG }) });
const ReturnTo = Type.Optional(Type.String({ maxLength: 2000 }));

/**
 * What this plugin reads of the node: the sign-in it ends in (identity, sessions and their cookie, the
 * session lifetime), ids for new accounts, the origin callbacks are bound to and the log that names the
 * declared providers. The federation feature itself (registry, links, flow) is built by the composition
 * root and handed in whole.
 */
export type FederationRouteDeps = Pick<AppContext, 'config' | 'ids' | 'cookies' | 'identity' | 'origin' | 'sessions' | 'logger'>;

/**
 * Sign in with other providers. Routes:
 *  GET    /api/auth/federation/providers              the configured providers (sign-in buttons)
 *  GET    /api/auth/federation/admin/providers        every provider with its callback URL (admin)
 *  POST   /api/auth/federation/providers              register one (admin): {id, kind, issuer?, clientId, clientSecret?, scope?, trustEmail?}
 *  DELETE /api/auth/federation/providers/:id          (admin)
 *  GET    /api/auth/federation/:provider/start        ?return_to=/path → 302 to the provider (sign in)
 *  POST   /api/auth/federation/:provider/link         signed in: {returnTo?} → {authorizationUrl} (link)
 *  GET    /api/auth/federation/:provider/callback     the redirect URI to register at the provider
 *  GET    /api/auth/federation/links                  the caller's linked providers
 *  DELETE /api/auth/federation/links/:id              unlink one
 * Linking is a POST (JSON, so the CSRF check applies): a cross-site GET must never attach the
 * attacker's provider account to a signed-in victim. Browser-facing steps (start, callback) never
 * answer JSON on failure: the operator's log gets the cause, the user a page of the web app.
 */
export function federationRoutes(ctx: FederationRouteDeps, federation: FederationModule, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { declared, registry, links, flow } = federation;
    const tags = ['federation'];
    const callbackUrl = (provider: string) => callbackUrlFor(ctx.origin, provider);
    const stateCookie = (maxAge: number) => ({ httpOnly: true, secure: ctx.cookies.secure, sameSite: 'lax' as const, path: STATE_PATH, maxAge });
    for (const p of declared) ctx.logger.info({ provider: p.id, kind: p.kind, callbackUrl: callbackUrl(p.id) }, 'sign-in provider declared in configuration');

    // Every route below takes first-party credentials only: the guard's default lane refuses OAuth tokens.

    /** The operator learns why (never a secret), the user gets a page instead of JSON. */
    async function failurePage(request: FastifyRequest, reply: FastifyReply, error: unknown, providerId: string) {
      const provider = await registry.get(providerId).catch(() => null);
      const failure = describeFailure(error, [provider?.clientSecret]);
      const expected = isGatehouseError(error) && error.statusCode < 500;
      request.log[expected ? 'warn' : 'error']({ provider: providerId, reason: failure.reason, detail: failure.message, causes: failure.causes }, 'federation sign-in failed');
      return reply.redirect(problemPagePath(failure.reason, providerId), 303);
    }

    app.get('/api/auth/federation/providers', { schema: { tags, summary: 'Sign-in providers', response: { 200: ProviderList } } }, async () => ({
      providers: await registry.list(),
    }));
    app.get(
      '/api/auth/federation/admin/providers',
      {
        preHandler: hooks.requireAuth({ roles: ['admin'] }),
        schema: { tags, summary: 'Every sign-in provider with the callback URL to register upstream (admin)', response: { 200: ProviderAdminList, ...errorResponses } },
      },
      async () => {
        return { providers: (await registry.listForAdmin()).map((p) => ({ ...p, callbackUrl: callbackUrl(p.id) })) };
      },
    );
    app.post(
      '/api/auth/federation/providers',
      {
        preHandler: hooks.requireAuth({ roles: ['admin'] }),
        schema: {
          tags,
          summary: 'Register a sign-in provider (admin)',
          body: Type.Object(
            {
              id: Type.String({ pattern: SLUG }),
              kind: Type.Union(['oidc', 'google', 'kakao', 'naver', 'github'].map((k) => Type.Literal(k))),
              issuer: Type.Optional(Type.String({ maxLength: 2000 })),
              clientId: Type.String({ minLength: 1, maxLength: 512 }),
              clientSecret: Type.Optional(Type.String({ maxLength: 2000 })),
              scope: Type.Optional(Type.String({ maxLength: 1000 })),
              displayName: Type.Optional(Type.String({ maxLength: 100 })),
              trustEmail: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
          response: { 201: ProviderAdminView, 409: ErrorBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const admin = request.principal!;
        const b = request.body;
        const view = await registry.add({
          id: b.id,
          kind: b.kind,
          clientId: b.clientId,
          ...(b.issuer ? { issuer: b.issuer } : {}),
          ...(b.clientSecret ? { clientSecret: b.clientSecret } : {}),
          ...(b.scope !== undefined ? { scope: b.scope } : {}),
          ...(b.displayName ? { displayName: b.displayName } : {}),
          ...(b.trustEmail !== undefined ? { trustEmail: b.trustEmail } : {}),
        });
        await ctx.identity.audit.record({ type: 'federation.provider.add', userId: admin.userId, ...requestMeta(request), data: { provider: view.id, kind: view.kind, trustEmail: view.trustEmail } });
        return reply.status(201).send({ ...view, callbackUrl: callbackUrl(view.id) });
      },
    );
    app.delete(
      '/api/auth/federation/providers/:provider',
      {
        preHandler: hooks.requireAuth({ roles: ['admin'] }),
        schema: { tags, summary: 'Remove a sign-in provider (admin)', params: ProviderParams, response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody, ...errorResponses } },
      },
      async (request, reply) => {
        const admin = request.principal!;
        await registry.remove(request.params.provider);
        await ctx.identity.audit.record({ type: 'federation.provider.remove', userId: admin.userId, ...requestMeta(request), data: { provider: request.params.provider } });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/auth/federation/:provider/start',
      {
        // Each start stores a pending flow before sign-in: limited per client address.
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Start signing in with a provider (a browser navigation; failures redirect to a page)',
          params: ProviderParams,
          querystring: Type.Object({ return_to: ReturnTo }),
        },
      },
      async (request, reply) => {
        // Refused outright (not silently replaced, never redirected): a bad return address is a bug or an attack.
        const returnTo = request.query.return_to === undefined ? undefined : sameOriginPath(request.query.return_to);
        if (returnTo === null) throw new GatehouseError('GH_AUTH_RETURN_TO_INVALID', { details: { field: 'return_to' } });
        try {
          const { authorizationUrl, state } = await flow.start({
            providerId: request.params.provider,
            redirectUri: callbackUrl(request.params.provider),
            ...(returnTo ? { returnTo } : {}),
          });
          void reply.setCookie(STATE_COOKIE, state, stateCookie(600));
          return reply.redirect(authorizationUrl, 302);
        } catch (error) {
          return failurePage(request, reply, error, request.params.provider);
        }
      },
    );

    app.post(
      '/api/auth/federation/:provider/link',
      {
        preHandler: hooks.requireAuth(),
        schema: {
          tags,
          summary: 'Link a provider to the signed-in account: answers where to send the browser',
          params: ProviderParams,
          body: Type.Object({ returnTo: ReturnTo }, { additionalProperties: false }),
          response: { 200: LinkStart, 404: ErrorBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const p = request.principal!;
        const user = await ctx.identity.getUser(p.userId);
        if (!user) throw new GatehouseError('GH_AUTH_UNAUTHENTICATED');
        const returnTo = request.body.returnTo === undefined ? '/account' : sameOriginPath(request.body.returnTo);
        if (returnTo === null) throw new GatehouseError('GH_AUTH_RETURN_TO_INVALID', { details: { field: 'returnTo' } });
        const { authorizationUrl, state } = await flow.start({
          providerId: request.params.provider,
          redirectUri: callbackUrl(request.params.provider),
          returnTo,
          link: { userId: user.id, credentialVersion: user.credentialVersion },
        });
        void reply.setCookie(STATE_COOKIE, state, stateCookie(600));
        return reply.send({ authorizationUrl });
      },
    );

    app.get(
      '/api/auth/federation/:provider/callback',
      { schema: { tags, summary: 'Redirect URI for the provider', params: ProviderParams }, config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
      async (request, reply) => {
        const bound = request.cookies[STATE_COOKIE];
        void reply.clearCookie(STATE_COOKIE, stateCookie(0));
        try {
          const result = await flow.callback({ providerId: request.params.provider, currentUrl: new URL(request.url, ctx.origin), boundState: bound });
          const linkTo = result.link ? await stillSignedIn(request, result.link) : null;
          const resolution = await resolveAccount({ identity: ctx.identity, links, ids: ctx.ids }, result.external, { linkToUserId: linkTo, providerTrustedForEmail: result.trustEmail });
          const meta = requestMeta(request);
          // Another provider vouches for the first factor only: an account with a second factor still
          // owes it, and gets no session until it is given (the web app's login page asks for it; the
          // ticket rides in the fragment, which no server or log sees).
          if (!linkTo && (await ctx.identity.factors.enrolled(resolution.user.id))) {
            const pending = await ctx.identity.pendingLogins.issue({ userId: resolution.user.id, mode: 'session', credentialVersion: resolution.user.credentialVersion, bind: null });
            await ctx.identity.audit.record({ type: 'login.second-factor.required', userId: resolution.user.id, ...meta, data: { mode: 'federation', provider: result.external.provider } });
            return reply.redirect(`/login#second-factor=${encodeURIComponent(pending.ticket)}`, 303);
          }
          await ctx.identity.audit.record({
            type: linkTo ? 'federation.link' : 'login.success',
            userId: resolution.user.id,
            ...meta,
            data: { mode: 'federation', provider: result.external.provider, created: resolution.created, linked: resolution.linked },
          });
          if (!linkTo) {
            const previous = request.cookies[ctx.cookies.names.session];
            if (previous) await ctx.sessions.destroy(previous);
            const { token } = await ctx.sessions.create({ userId: resolution.user.id, ...meta });
            void reply.setCookie(ctx.cookies.names.session, token, ctx.cookies.options('session', ctx.config.sessions.absoluteLifetimeSec));
          }
          return reply.redirect(result.returnTo, 303);
        } catch (error) {
          return failurePage(request, reply, error, request.params.provider);
        }
      },
    );

    /**
     * A link asked for at start still stands when the provider sends the browser back: the account's
     * credentials were not ended since (log out everywhere, password change), it is not disabled, and
     * this browser is not now signed in as somebody else.
     */
    async function stillSignedIn(request: FastifyRequest, link: { userId: string; credentialVersion: number }): Promise<string> {
      await hooks.optionalAuth()(request);
      const user = await ctx.identity.getUser(link.userId);
      const other = request.principal && request.principal.userId !== link.userId;
      if (!user || user.credentialVersion !== link.credentialVersion || other) throw new GatehouseError('GH_FEDERATION_LINK_SESSION');
      return user.id;
    }

    app.get(
      '/api/auth/federation/links',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: "The caller's linked providers", response: { 200: LinkList, ...errorResponses } } },
      async (request) => {
        const p = request.principal!;
        const [list, providers] = await Promise.all([links.list(p.userId), registry.list()]);
        const names = new Map(providers.map((v) => [v.id, v.displayName]));
        return {
          links: list.map((l) => ({
            id: l.id,
            provider: l.provider,
            displayName: names.get(l.provider) ?? l.provider,
            email: l.email,
            emailVerified: l.emailVerified,
            createdAt: l.createdAt,
            lastLoginAt: l.lastLoginAt,
          })),
        };
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
        await links.remove(p.userId, request.params.id);
        await ctx.identity.audit.record({ type: 'federation.unlink', userId: p.userId, ...requestMeta(request), data: { linkId: request.params.id } });
        return reply.status(204).send(null);
      },
    );
  };
}
