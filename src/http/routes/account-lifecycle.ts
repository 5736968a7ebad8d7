import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Asker } from '../accounts/service.js';
import { readPreferences } from '../../cookies/index.js';
import { AccountStatus, GatehouseError, EmailVerified } from '../../core/index.js';
import type { AppContext } from '../context.js';
import type { AuthHooks } from '../guard.js';
import { stepUp } from '../step-up.js';
import { requestMeta } from '../request-meta.js';
import { Email, Password, errorResponses, userView } from '../schemas.js';

const LinkToken = Type.String({ minLength: 1, maxLength: 256, description: 'The token from the mailed link' });

/** The caller's meta (audit) and language (the mail they are sent). */
export function askerOf(request: FastifyRequest): Asker & { ip: string } {
  return { ...requestMeta(request), lang: readPreferences(request.cookies, request.headers['accept-language']).lang };
}

/** What this plugin reads of the node: the account service, the data export (identity, sessions, database), the mail delivery mode, the preference cookies and step-up (kv, clock). */
export type AccountLifecycleRouteDeps = Pick<AppContext, 'clock' | 'kv' | 'cookies' | 'database' | 'identity' | 'sessions' | 'mailer' | 'accounts'>;

/**
 * Email verification, forgotten password, email change, data export and account deletion: the
 * account's life beyond signing in. Links arrive by mail; their tokens come back in a POST body.
 */
export function accountLifecycleRoutes(ctx: AccountLifecycleRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['account'];
    const endBrowserCredentials = (reply: FastifyReply) => {
      void reply.clearCookie(ctx.cookies.names.session, ctx.cookies.options('session'));
      void reply.clearCookie(ctx.cookies.names.auth, ctx.cookies.options('auth'));
      void reply.clearCookie(ctx.cookies.names.refresh, ctx.cookies.options('refresh'));
    };

    app.get(
      '/api/account/status',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'Whether the email address is verified', response: { 200: AccountStatus, ...errorResponses } } },
      async (request) => {
        const user = await ctx.identity.getUser(request.principal!.userId);
        if (!user) throw new GatehouseError('GH_AUTH_UNAUTHENTICATED');
        return { email: user.email, emailVerifiedAt: user.emailVerifiedAt, emailVerifiedVia: user.emailVerifiedVia, mailDelivery: ctx.mailer.delivery };
      },
    );

    app.post(
      '/api/auth/email/verify',
      {
        schema: { tags, summary: 'Follow a verification or email-change link', body: Type.Object({ token: LinkToken }, { additionalProperties: false }), response: { 200: EmailVerified, ...errorResponses } },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request) => {
        const { user, changed } = await ctx.accounts.confirmEmail(request.body.token, askerOf(request));
        return { user: userView(user), changed };
      },
    );

    app.post(
      '/api/auth/email/resend',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'Mail the verification link again (rate-limited)', response: { 202: Type.Object({ sent: Type.Boolean() }), ...errorResponses } } },
      async (request, reply) => {
        await ctx.accounts.resendVerification(request.principal!.userId, askerOf(request));
        return reply.status(202).send({ sent: true });
      },
    );

    app.post(
      '/api/auth/password/forgot',
      {
        schema: {
          tags,
          summary: 'Mail a password reset link; the same answer whether or not the address has an account',
          body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false }),
          response: { 202: Type.Object({ accepted: Type.Boolean() }), ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        await ctx.accounts.requestPasswordReset(request.body.email, askerOf(request));
        return reply.status(202).send({ accepted: true });
      },
    );

    app.post(
      '/api/auth/password/reset',
      {
        schema: {
          tags,
          summary: 'Set a new password from a reset link; ends every credential of every kind',
          body: Type.Object({ token: LinkToken, newPassword: Password }, { additionalProperties: false }),
          response: { 204: Type.Null(), ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        await ctx.accounts.resetPassword(request.body.token, request.body.newPassword, askerOf(request));
        endBrowserCredentials(reply);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/account/email',
      {
        preHandler: [hooks.requireAuth(), stepUp(ctx)],
        schema: {
          tags,
          summary: 'Change the email address: a link goes to the new one, which takes effect once followed',
          body: Type.Object({ newEmail: Email, currentPassword: Password }, { additionalProperties: false }),
          response: { 202: Type.Object({ sent: Type.Boolean() }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal!;
        await ctx.accounts.requestEmailChange(principal.userId, { newEmail: request.body.newEmail, currentPassword: request.body.currentPassword }, askerOf(request));
        return reply.status(202).send({ sent: true });
      },
    );

    app.get(
      '/api/account/export',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'Everything gatehouse keeps about the caller, as JSON' } },
      async (request, reply) => {
        const principal = request.principal!;
        const data = await exportAccount(ctx, principal.userId);
        void reply.header('content-disposition', 'attachment; filename="gatehouse-account.json"');
        void reply.header('cache-control', 'no-store');
        return data;
      },
    );

    app.post(
      '/api/account/delete',
      {
        preHandler: [hooks.requireAuth(), stepUp(ctx)],
        schema: { tags, summary: 'Delete the account: ends every credential, removes personal data', body: Type.Object({ currentPassword: Password }, { additionalProperties: false }), response: { 204: Type.Null(), ...errorResponses } },
      },
      async (request, reply) => {
        const principal = request.principal!;
        await ctx.accounts.deleteAccount(principal.userId, request.body.currentPassword, askerOf(request));
        endBrowserCredentials(reply);
        return reply.status(204).send(null);
      },
    );
  };
}

/** The data export: profile, sessions, refresh-token devices, OAuth grants and the audit trail. */
async function exportAccount(ctx: Pick<AppContext, 'identity' | 'sessions' | 'database' | 'clock'>, userId: string) {
  const user = await ctx.identity.getUser(userId);
  if (!user) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
  const db = ctx.database.db;
  const sessions = await ctx.sessions.list(userId);
  const grants = await db.selectFrom('oauth_models').select(['id', 'payload']).where('model', '=', 'Grant').where('account_id', '=', userId).execute();
  const families = await db.selectFrom('refresh_families').selectAll().where('user_id', '=', userId).execute();
  const audit = await ctx.identity.audit.list({ userId, limit: 500 });
  return {
    exportedAt: ctx.clock.now(),
    profile: {
      id: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
      emailVerifiedAt: user.emailVerifiedAt,
      emailVerifiedVia: user.emailVerifiedVia,
    },
    sessions: sessions.map((s) => ({ id: s.id, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, ip: s.ip, userAgent: s.userAgent })),
    tokenDevices: families.map((f) => {
      const { user_id: _u, ...rest } = f as Record<string, unknown>;
      return rest;
    }),
    grants: grants.map((g) => {
      const payload = JSON.parse(g.payload) as { clientId?: string; iat?: number; exp?: number; openid?: { scope?: string }; resources?: Record<string, string> };
      const scopes = [payload.openid?.scope ?? '', ...Object.values(payload.resources ?? {})].join(' ').split(' ').filter(Boolean);
      return { id: g.id, clientId: payload.clientId ?? null, scopes, createdAt: payload.iat ? payload.iat * 1000 : null, expiresAt: payload.exp ? payload.exp * 1000 : null };
    }),
    auditEvents: audit,
  };
}
