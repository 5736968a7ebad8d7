import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { GatehouseError, SessionList, OthersRevoked } from '../../core/index.js';
import type { Session } from '../../sessions/index.js';
import type { RefreshFamilyView } from '../../tokens/index.js';
import type { Principal } from '../../core/index.js';
import type { AppContext } from '../context.js';
import type { AuthHooks } from '../guard.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../identity/index.js';
import { passkeyLogin, passwordStep, secondFactorStep, type Amr } from '../login.js';
import { requestMeta } from '../request-meta.js';
import { Credentials, ErrorBody, PasskeyLoginBody, SecondFactorBody, SecondFactorRequired, SessionView, UserView, errorResponses, secondFactorRequired, userView } from '../schemas.js';
import { recordAuthentication, signInKey } from '../step-up.js';

/** What this plugin reads of the node: sessions and their cookie, the refresh-token devices listed beside them, revocation events, the login steps (identity, origin) and the recent-authentication record (kv, clock). */
export type SessionAuthRouteDeps = Pick<AppContext, 'config' | 'clock' | 'kv' | 'cookies' | 'sessions' | 'tokens' | 'events' | 'identity' | 'origin'>;

/** Session mode (the note's "세션 & 쿠키"): an opaque id in an HttpOnly cookie, the data server-side. */
export function sessionAuthRoutes(ctx: SessionAuthRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const name = ctx.cookies.names.session;
    const tags = ['session mode'];
    const view = (session: Session, currentId: string | null) => ({
      id: session.id,
      kind: 'session' as const,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      idleExpiresAt: session.idleExpiresAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      ip: session.ip,
      userAgent: session.userAgent,
      current: session.id === currentId,
    });
    // A JWT sign-in is a device too: its refresh family, listed and revoked beside server sessions.
    const familyView = (family: RefreshFamilyView, currentId: string | null) => ({
      id: family.id,
      kind: 'jwt' as const,
      createdAt: family.createdAt,
      lastSeenAt: family.lastUsedAt,
      idleExpiresAt: family.idleExpiresAt,
      absoluteExpiresAt: family.absoluteExpiresAt,
      ip: family.ip,
      userAgent: family.userAgent,
      current: family.id === currentId,
    });
    const currentOf = (principal: Principal, kind: 'session' | 'jwt') => (principal.credential.kind === kind ? principal.credential.id : null);

    const signIn = async (request: FastifyRequest, reply: FastifyReply, user: User, amr: Amr[]) => {
      // A new id at every login, and the old one gone: no session fixation.
      const previous = request.cookies[name];
      if (previous) await ctx.sessions.destroy(previous);
      const { token, session } = await ctx.sessions.create({ userId: user.id, ...requestMeta(request) });
      await recordAuthentication(ctx, user.id, signInKey({ kind: 'session', id: session.id, expiresAt: null, scopes: [] }), amr);
      void reply.setCookie(name, token, ctx.cookies.options('session', ctx.config.sessions.absoluteLifetimeSec));
      return { user: userView(user), session: view(session, session.id) };
    };
    const SignedIn = Type.Object({ user: UserView, session: SessionView });
    app.post(
      '/api/auth/session/login',
      {
        schema: {
          tags,
          summary: 'Log in; sets __Host-gh.sid, or asks for the second factor',
          body: Credentials,
          response: { 200: Type.Union([SignedIn, SecondFactorRequired]), ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const step = await passwordStep(ctx, request, request.body, 'session');
        if (step.kind === 'second-factor') return secondFactorRequired(step, step.methods);
        return signIn(request, reply, step.user, step.amr);
      },
    );
    app.post(
      '/api/auth/session/login/passkey',
      {
        schema: { tags, summary: 'Sign in with a passkey alone (discoverable credential)', body: PasskeyLoginBody, response: { 200: SignedIn, ...errorResponses } },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const { user, amr } = await passkeyLogin(ctx, request, request.body, 'session');
        return signIn(request, reply, user, amr);
      },
    );
    app.post(
      '/api/auth/session/login/second-factor',
      {
        schema: { tags, summary: 'Second step: ticket + code; sets __Host-gh.sid', body: SecondFactorBody, response: { 200: SignedIn, ...errorResponses } },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const { user, amr } = await secondFactorStep(ctx, request, request.body, 'session');
        return signIn(request, reply, user, amr);
      },
    );

    app.post('/api/auth/session/logout', { schema: { tags, summary: 'Destroy the current session', response: { 204: Type.Null() } } }, async (request, reply) => {
      const token = request.cookies[name];
      const session = token ? await ctx.sessions.destroy(token) : null;
      if (session) {
        await ctx.identity.audit.record({ type: 'logout', userId: session.userId, ...requestMeta(request), data: { mode: 'session' } });
        await ctx.events.revoked({ kind: 'session', userId: session.userId, sessionIds: [session.id] });
      }
      void reply.clearCookie(name, ctx.cookies.options('session'));
      return reply.status(204).send(null);
    });

    app.get(
      '/api/auth/sessions',
      {
        preHandler: hooks.requireAuth(),
        schema: { tags, summary: "The caller's devices: server sessions and JWT sign-ins, most recently used first", response: { 200: SessionList, ...errorResponses } },
      },
      async (request) => {
        const principal = request.principal!;
        const [sessions, families] = await Promise.all([ctx.sessions.list(principal.userId), ctx.tokens.refreshTokens.listFamilies(principal.userId)]);
        const devices = [...sessions.map((s) => view(s, currentOf(principal, 'session'))), ...families.map((f) => familyView(f, currentOf(principal, 'jwt')))];
        return { sessions: devices.sort((a, b) => b.lastSeenAt - a.lastSeenAt) };
      },
    );

    app.delete(
      '/api/auth/sessions/:id',
      {
        preHandler: hooks.requireAuth(),
        schema: { tags, summary: 'Revoke one of the caller’s devices (a session or a JWT sign-in)', params: Type.Object({ id: Type.String({ maxLength: 128 }) }), response: { 204: Type.Null(), 404: ErrorBody, ...errorResponses } },
      },
      async (request, reply) => {
        const principal = request.principal!;
        const revoked = await ctx.sessions.revoke(principal.userId, request.params.id);
        if (revoked) {
          await ctx.identity.audit.record({ type: 'session.revoke', userId: principal.userId, ...requestMeta(request), data: { sessionId: revoked.id } });
          await ctx.events.revoked({ kind: 'session', userId: principal.userId, sessionIds: [revoked.id] });
          if (principal.credential.kind === 'session' && principal.credential.id === revoked.id) void reply.clearCookie(name, ctx.cookies.options('session'));
          return reply.status(204).send(null);
        }
        // Only a live family of this user: another user's id reads as unknown.
        const families = await ctx.tokens.refreshTokens.listFamilies(principal.userId);
        const family = families.find((f) => f.id === request.params.id);
        if (!family) throw new GatehouseError('GH_SESSION_NOT_FOUND');
        await ctx.identity.audit.record({ type: 'session.revoke', userId: principal.userId, ...requestMeta(request), data: { familyId: family.id } });
        // The listener ends the family and denies its live access tokens; realtime closes its sockets.
        await ctx.events.revoked({ kind: 'family', userId: principal.userId, familyIds: [family.id] });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/sessions/revoke-others',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: 'Log out every other device: sessions and JWT sign-ins', response: { 200: OthersRevoked, ...errorResponses } } },
      async (request) => {
        const principal = request.principal!;
        const keepSession = currentOf(principal, 'session');
        const keepFamily = currentOf(principal, 'jwt');
        const revoked = keepSession ? await ctx.sessions.revokeOthers(principal.userId, keepSession) : await ctx.sessions.revokeAll(principal.userId);
        const families = (await ctx.tokens.refreshTokens.listFamilies(principal.userId)).filter((f) => f.id !== keepFamily).map((f) => f.id);
        const count = revoked.length + families.length;
        await ctx.identity.audit.record({ type: 'sessions.revoke-others', userId: principal.userId, ...requestMeta(request), data: { count } });
        if (revoked.length) await ctx.events.revoked({ kind: 'session', userId: principal.userId, sessionIds: revoked.map((s) => s.id) });
        if (families.length) await ctx.events.revoked({ kind: 'family', userId: principal.userId, familyIds: families });
        return { revoked: count };
      },
    );
  };
}
