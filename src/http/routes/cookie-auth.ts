import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { passwordLogin } from '../login.js';
import { requestMeta } from '../request-meta.js';
import { Credentials, UserView, errorResponses, userView } from '../schemas.js';

/** Cookie mode (the note's "쿠키"): a sealed, stateless cookie with only the user id and its times. */
export function cookieAuthRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const name = ctx.cookies.names.auth;
    app.post(
      '/api/auth/cookie/login',
      {
        schema: {
          tags: ['cookie mode'],
          summary: 'Log in; sets the sealed __Host-gh.auth cookie',
          body: Credentials,
          response: { 200: Type.Object({ user: UserView, expiresAt: Type.Number() }), ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const user = await passwordLogin(ctx, request, request.body, 'cookie');
        const lifetime = ctx.config.cookies.sealedLifetimeSec;
        const value = await ctx.sealer.seal({ uid: user.id, ver: user.credentialVersion });
        void reply.setCookie(name, value, ctx.cookies.options('auth', lifetime));
        return { user: userView(user), expiresAt: ctx.clock.now() + lifetime * 1000 };
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
