import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../accounts/admin.js';
import { AdminUserDetail, AdminUserAnswer, AdminUserList, Outbox } from '../../core/index.js';
import { listOutbox } from '../../mail/index.js';
import type { User } from '../../identity/index.js';
import type { AppContext } from '../context.js';
import type { AuthHooks } from '../guard.js';
import { requestMeta } from '../request-meta.js';
import { ErrorBody, errorResponses } from '../schemas.js';
import { stepUp } from '../step-up.js';

const adminView = (u: Pick<User, 'id' | 'email' | 'name' | 'roles' | 'createdAt' | 'emailVerifiedAt' | 'disabledAt'>) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  roles: u.roles,
  createdAt: u.createdAt,
  emailVerifiedAt: u.emailVerifiedAt,
  disabledAt: u.disabledAt,
});

/** What this plugin reads of the node: operator actions (userAdmin), what a user's page shows (identity, sessions, tokens), the outbox (database, mailer) and step-up (kv, clock). */
export type AdminRouteDeps = Pick<AppContext, 'clock' | 'kv' | 'database' | 'identity' | 'sessions' | 'tokens' | 'mailer' | 'userAdmin'>;

/** The admin console's API: users (search, view, disable/enable, log out, admin role) and the outbox. */
export function adminRoutes(ctx: AdminRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['admin'];
    // An admin acts with their own first-party credential (the guard's default lane), never a third-party token.
    const preHandler = hooks.requireAuth({ roles: ['admin'] });
    const actor = (request: FastifyRequest): Actor => ({ id: request.principal!.userId, via: 'web', ...requestMeta(request) });
    const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
    const one = { 200: AdminUserAnswer, 404: ErrorBody, 409: ErrorBody, ...errorResponses };

    app.get(
      '/api/admin/users',
      {
        preHandler,
        schema: {
          tags,
          summary: 'Find users by email, name or id (admin)',
          querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 320 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
          response: { 200: AdminUserList, ...errorResponses },
        },
      },
      async (request) => ({ users: await ctx.userAdmin.search(request.query.q ?? '', request.query.limit ?? 50) }),
    );

    app.get(
      '/api/admin/users/:id',
      {
        preHandler,
        schema: {
          tags,
          summary: 'One user, with their live sessions, JWT sign-ins and latest security events (admin)',
          params: UserParams,
          response: {
            200: AdminUserDetail,
            404: ErrorBody,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const user = await ctx.userAdmin.get(request.params.id);
        const [sessions, families, events] = await Promise.all([ctx.sessions.list(user.id), ctx.tokens.refreshTokens.listFamilies(user.id), ctx.identity.audit.list({ userId: user.id, limit: 20 })]);
        const actorOf = (data: Record<string, unknown>) => (typeof data.actorId === 'string' ? data.actorId : null);
        return { user: adminView(user), sessions: sessions.length, devices: families.length, events: events.map((e) => ({ at: e.at, type: e.type, ip: e.ip, actorId: actorOf(e.data) })) };
      },
    );

    app.post('/api/admin/users/:id/disable', { preHandler, schema: { tags, summary: 'Disable a user: every credential ends, login is refused (admin)', params: UserParams, response: one } }, async (request) => ({
      user: adminView(await ctx.userAdmin.disable(request.params.id, actor(request))),
    }));
    app.post('/api/admin/users/:id/enable', { preHandler, schema: { tags, summary: 'Enable a disabled user (admin)', params: UserParams, response: one } }, async (request) => ({
      user: adminView(await ctx.userAdmin.enable(request.params.id, actor(request))),
    }));
    app.post(
      '/api/admin/users/:id/logout',
      { preHandler, schema: { tags, summary: 'End every credential of a user (admin)', params: UserParams, response: { 200: Type.Object({ sessionsEnded: Type.Number() }), 404: ErrorBody, ...errorResponses } } },
      async (request) => ({ sessionsEnded: await ctx.userAdmin.logoutEverywhere(request.params.id, actor(request)) }),
    );
    app.post(
      '/api/admin/users/:id/factors/reset',
      {
        // The operator proves a recent sign-in too: a hijacked admin session must not strip users' factors.
        preHandler: [preHandler, stepUp(ctx)],
        schema: { tags, summary: "Remove a user's second factors (lost authenticator and recovery codes); ends their credentials, mails them (admin)", params: UserParams, response: one },
      },
      async (request) => ({ user: adminView(await ctx.userAdmin.resetSecondFactors(request.params.id, actor(request))) }),
    );
    app.put(
      '/api/admin/users/:id/admin',
      {
        preHandler,
        schema: { tags, summary: 'Grant or revoke the admin role (admin)', params: UserParams, body: Type.Object({ admin: Type.Boolean() }, { additionalProperties: false }), response: one },
      },
      async (request) => ({ user: adminView(await ctx.userAdmin.setAdmin(request.params.id, request.body.admin, actor(request))) }),
    );

    app.get(
      '/api/admin/outbox',
      {
        preHandler,
        schema: {
          tags,
          summary: 'Mail kept in the store when no SMTP server is configured (admin)',
          querystring: Type.Object({ to: Type.Optional(Type.String({ maxLength: 320 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }),
          response: { 200: Outbox, ...errorResponses },
        },
      },
      async (request) => ({
        delivery: ctx.mailer.delivery,
        messages: await listOutbox(ctx.database.db, { limit: request.query.limit ?? 50, ...(request.query.to ? { to: request.query.to } : {}) }),
      }),
    );
  };
}
