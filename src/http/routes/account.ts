import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { readPreferences, validatePreference } from '../../cookies/index.js';
import { GatehouseError, isGatehouseError, Preferences, type Principal, SignupAnswer, WhoamiAnswer, AuditEventList } from '../../core/index.js';
import type { AppContext } from '../context.js';
import { endCredentials } from '../end-credentials.js';
import type { AuthHooks } from '../guard.js';
import { requestMeta } from '../request-meta.js';
import { askerOf } from './account-lifecycle.js';
import { renewOwnCookie } from '../renew-own-cookie.js';
import { stepUp } from '../step-up.js';
import { Email, Password, PrincipalView, errorResponses, userView } from '../schemas.js';

/** What this plugin reads of the node: signup and password change (identity, accounts), step-up (kv, clock), ending credentials (sessions, events) and renewing the caller's own cookie (sealer, cookies, config). */
export type AccountRouteDeps = Pick<AppContext, 'config' | 'clock' | 'kv' | 'cookies' | 'sealer' | 'identity' | 'sessions' | 'events' | 'accounts'>;

/** Sign-up, who-am-I, password change, "log out everywhere", the audit trail and preferences. */
export function accountRoutes(ctx: AccountRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['account'];

    app.post(
      '/api/auth/signup',
      {
        schema: {
          tags,
          summary: 'Create an account',
          body: Type.Object({ email: Email, password: Password, name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false }),
          response: { 201: SignupAnswer, 409: errorResponses[400], ...errorResponses },
        },
        config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const user = await ctx.identity.signup({ email: request.body.email, password: request.body.password, name: request.body.name ?? null });
        await ctx.identity.audit.record({ type: 'signup', userId: user.id, ...requestMeta(request) });
        // The account exists either way; a mail server that is down must not turn sign-up into an error.
        await ctx.accounts.afterSignup(user, askerOf(request)).catch((error: unknown) => request.log.error({ err: error }, 'verification mail failed'));
        return reply.status(201).send({ user: userView(user) });
      },
    );

    // For cookie and session credentials the guard has just read the user: no second read.
    const whoIs = async (principal: Principal) => {
      if (principal.createdAt !== undefined) {
        const { userId: id, email, name, roles, createdAt } = principal;
        return { user: userView({ id, email, name, roles, createdAt }), credential: principal.credential };
      }
      // A self-contained token (JWT) carries no creation time: the same cached read the guard uses.
      const user = await ctx.identity.currentUser(principal.userId);
      if (!user) return null;
      return { user: userView(user), credential: principal.credential };
    };

    app.get(
      '/api/me',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'The principal, whichever credential the request carried', response: { 200: PrincipalView, ...errorResponses } } },
      async (request) => {
        const me = await whoIs(request.principal!);
        if (!me) throw new GatehouseError('GH_AUTH_UNAUTHENTICATED');
        return me;
      },
    );

    // The web app asks this on every page load: a signed-out visitor is an answer, not an error (a 401
    // would be a red line in the browser console of every page a visitor opens before signing in).
    app.get(
      '/api/whoami',
      {
        preHandler: hooks.optionalAuth(),
        schema: {
          tags,
          summary: 'Like /api/me, but 200 for anonymous callers too: { me: principal or null }',
          response: { 200: WhoamiAnswer, ...errorResponses },
        },
      },
      async (request) => ({ me: request.principal ? await whoIs(request.principal) : null }),
    );

    app.post(
      '/api/auth/password',
      {
        preHandler: [hooks.requireAuth(), stepUp(ctx)],
        schema: {
          tags,
          summary: 'Change the password; ends every other session and credential',
          body: Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false }),
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal!;
        const meta = requestMeta(request);
        try {
          await ctx.identity.changePassword({ userId: principal.userId, currentPassword: request.body.currentPassword, newPassword: request.body.newPassword, ip: meta.ip });
        } catch (error) {
          // A wrong current password is a guess at the secret: the owner sees it, like a failed login.
          if (isGatehouseError(error) && error.code === 'GH_AUTH_INVALID_CREDENTIALS') {
            await ctx.identity.audit.record({ type: 'password.change.failure', userId: principal.userId, ...meta, data: { credential: principal.credential.kind } });
          }
          throw error;
        }
        const { user, sessionsEnded } = await endCredentials(ctx, principal.userId, { reason: 'password-change', keep: principal.credential });
        await ctx.identity.audit.record({ type: 'password.change', userId: user.id, ...requestMeta(request), data: { sessionsEnded } });
        ctx.accounts.notifyPasswordChanged(user, askerOf(request));
        // The caller's own sealed cookie carried the old credential version: give it a fresh one.
        await renewOwnCookie(ctx, reply, principal, user);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/logout-everywhere',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'End every session, sealed cookie and token of the caller', response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        const principal = request.principal!;
        const { sessionsEnded } = await endCredentials(ctx, principal.userId, { reason: 'logout-everywhere' });
        await ctx.identity.audit.record({ type: 'logout.everywhere', userId: principal.userId, ...requestMeta(request), data: { sessionsEnded } });
        void reply.clearCookie(ctx.cookies.names.session, ctx.cookies.options('session'));
        void reply.clearCookie(ctx.cookies.names.auth, ctx.cookies.options('auth'));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/audit',
      {
        preHandler: hooks.requireAuth(),
        schema: {
          tags,
          summary: "The caller's security events; an admin sees everyone's",
          querystring: Type.Object({
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
            before: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms; page backwards' })),
            userId: Type.Optional(Type.String({ maxLength: 128, description: 'admin only' })),
          }),
          response: { 200: AuditEventList, ...errorResponses },
        },
      },
      async (request) => {
        const principal = request.principal!;
        const admin = principal.roles.includes('admin');
        if (request.query.userId && !admin && request.query.userId !== principal.userId) throw new GatehouseError('GH_AUTH_FORBIDDEN');
        const userId = admin ? request.query.userId : principal.userId;
        const query: { userId?: string; limit?: number; before?: number } = { limit: request.query.limit ?? 50 };
        if (userId) query.userId = userId;
        if (request.query.before !== undefined) query.before = request.query.before;
        const events = await ctx.identity.audit.list(query);
        // An admin reads everyone's events: each row says whose it is, by the address the admin knows them by.
        return { events: admin ? await withUserEmails(ctx.identity, events) : events };
      },
    );

    // Plain preference cookies, readable by scripts: what cookies are for when they hold no secret.
    app.get('/api/preferences', { schema: { tags, summary: 'Theme and language, from their cookies', response: { 200: Preferences } } }, async (request) =>
      readPreferences(request.cookies, request.headers['accept-language']),
    );
    app.put(
      '/api/preferences',
      { schema: { tags, summary: 'Set the theme / language cookies', body: Type.Partial(Preferences, { additionalProperties: false }), response: { 200: Preferences, ...errorResponses } } },
      async (request, reply) => {
        const next = { ...readPreferences(request.cookies, request.headers['accept-language']), ...request.body };
        for (const key of ['theme', 'lang'] as const) {
          if (request.body[key] !== undefined && validatePreference(key, request.body[key])) {
            void reply.setCookie(ctx.cookies.names[key], request.body[key], ctx.cookies.options('preference', 365 * 86_400));
          }
        }
        return next;
      },
    );
  };
}

/** Each event with its user's email, looking every user up once. */
async function withUserEmails<E extends { userId: string | null }>(users: { getUser(id: string): Promise<{ email: string } | null> }, events: E[]): Promise<(E & { userEmail: string | null })[]> {
  const ids = [...new Set(events.flatMap((event) => (event.userId ? [event.userId] : [])))];
  const found = await Promise.all(ids.map((id) => users.getUser(id)));
  const emails = new Map(ids.map((id, index) => [id, found[index]?.email ?? null]));
  return events.map((event) => ({ ...event, userEmail: event.userId ? (emails.get(event.userId) ?? null) : null }));
}
