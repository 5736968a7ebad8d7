import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import type { FastifyReply } from 'fastify';
import type { User } from '../../identity/index.js';
import { passkeyLogin, passwordStep, secondFactorStep, type Amr } from '../login.js';
import { requestMeta } from '../request-meta.js';
import { Credentials, PasskeyLoginBody, SecondFactorBody, SecondFactorRequired, UserView, errorResponses, secondFactorRequired, userView } from '../schemas.js';
import { recordAuthentication, signInKey } from '../step-up.js';

/** What this plugin reads of the node: the sealer and cookie policy, the login steps (identity, origin) and the recent-authentication record (kv, clock, config). */
export type CookieAuthRouteDeps = Pick<AppContext, 'config' | 'clock' | 'cookies' | 'sealer' | 'identity' | 'origin' | 'kv'>;

/** Cookie mode (the note's "쿠키"): a sealed, stateless cookie with only the user id and its times. */
export function cookieAuthRoutes(ctx: CookieAuthRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const name = ctx.cookies.names.auth;
    const signIn = async (reply: FastifyReply, user: User, amr: Amr[]) => {
      const lifetime = ctx.config.cookies.sealedLifetimeSec;
      const value = await ctx.sealer.seal({ uid: user.id, ver: user.credentialVersion });
      const sealed = await ctx.sealer.unseal(value);
      await recordAuthentication(ctx, user.id, signInKey({ kind: 'cookie', id: null, expiresAt: null, scopes: [], issuedAt: sealed.iat * 1000 }), amr);
      void reply.setCookie(name, value, ctx.cookies.options('auth', lifetime));
      return { user: userView(user), expiresAt: ctx.clock.now() + lifetime * 1000 };
    };
    const SignedIn = Type.Object({ user: UserView, expiresAt: Type.Number() });
    app.post(
      '/api/auth/cookie/login',
      {
        schema: {
          tags: ['cookie mode'],
          summary: 'Log in; sets the sealed __Host-gh.auth cookie, or asks for the second factor',
          body: Credentials,
          response: { 200: Type.Union([SignedIn, SecondFactorRequired]), ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const step = await passwordStep(ctx, request, request.body, 'cookie');
        if (step.kind === 'second-factor') return secondFactorRequired(step, step.methods);
        return signIn(reply, step.user, step.amr);
      },
    );
    app.post(
      '/api/auth/cookie/login/passkey',
      {
        schema: { tags: ['cookie mode'], summary: 'Sign in with a passkey alone (discoverable credential)', body: PasskeyLoginBody, response: { 200: SignedIn, ...errorResponses } },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const { user, amr } = await passkeyLogin(ctx, request, request.body, 'cookie');
        return signIn(reply, user, amr);
      },
    );
    app.post(
      '/api/auth/cookie/login/second-factor',
      {
        schema: { tags: ['cookie mode'], summary: 'Second step: ticket + code; sets the sealed cookie', body: SecondFactorBody, response: { 200: SignedIn, ...errorResponses } },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const { user, amr } = await secondFactorStep(ctx, request, request.body, 'cookie');
        return signIn(reply, user, amr);
      },
    );
    app.post(
      '/api/auth/cookie/logout',
      { schema: { tags: ['cookie mode'], summary: 'Forget the sealed cookie', response: { 204: Type.Null() } } },
      async (request, reply) => {
        // Stateless: logging out forgets this copy; "log out everywhere" is what voids every copy.
        const value = request.cookies[name];
        const sealed = value ? await ctx.sealer.unseal(value).catch(() => null) : null;
        if (sealed) await ctx.identity.audit.record({ type: 'logout', userId: sealed.uid, ...requestMeta(request), data: { mode: 'cookie' } });
        void reply.clearCookie(name, ctx.cookies.options('auth'));
        return reply.status(204).send(null);
      },
    );
  };
}
