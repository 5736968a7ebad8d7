import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError, isGatehouseError, TokenResponse } from '../../core/index.js';
import type { TokenPair } from '../../tokens/index.js';
import type { AppContext } from '../context.js';
import type { AuthHooks } from '../guard.js';
import type { User } from '../../identity/index.js';
import { passkeyLogin, passwordStep, secondFactorStep, type Amr } from '../login.js';
import { requestMeta } from '../request-meta.js';
import { Email, ErrorBody, Password, PasskeyLoginBody, SecondFactorBody, SecondFactorRequired, errorResponses, secondFactorRequired } from '../schemas.js';
import { recordAuthentication, signInKey } from '../step-up.js';

const RefreshBody = Type.Object(
  { refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Native clients: the refresh token, instead of the cookie' })) },
  { additionalProperties: false },
);

// A browser refreshes or logs out with the cookie alone and may send no body at all.
const emptyBodyIsEmptyObject = async (request: FastifyRequest) => {
  request.body ??= {};
};

const JwksResponse = Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true, description: 'A public JWK (RFC 7517) with kid, alg and use' })) });

/** What this plugin reads of the node: tokens and the refresh cookie, revocation events, the login steps (identity, origin) and the recent-authentication record (kv, clock). */
export type JwtRouteDeps = Pick<AppContext, 'config' | 'clock' | 'kv' | 'cookies' | 'tokens' | 'events' | 'identity' | 'origin'>;

/**
 * JWT mode (the note's "JWT"): a short access token the client sends as `Authorization: Bearer`, and a
 * rotating refresh token. Browsers get the refresh token only as the HttpOnly `__Secure-gh.rt` cookie
 * (Path=/api/auth/jwt, SameSite=Strict), never where script can read it. A non-browser client asks
 * for it in the body with `"refresh_token_in_body": true` at login and then sends it back as
 * `refresh_token` in the body; a refresh token travels back the way it came.
 */
export function jwtAuthRoutes(ctx: JwtRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['JWT mode'];
    const cookieName = ctx.cookies.names.refresh;
    const setRefreshCookie = (reply: FastifyReply, pair: TokenPair) => {
      // The cookie may live as long as a family can; the server decides earlier ends (idle, revoked).
      void reply.setCookie(cookieName, pair.refreshToken, ctx.cookies.options('refresh', ctx.config.tokens.refreshAbsoluteSec));
    };
    const clearRefreshCookie = (reply: FastifyReply) => void reply.clearCookie(cookieName, ctx.cookies.options('refresh'));
    const tokenBody = (pair: TokenPair, inBody: boolean) => ({
      access_token: pair.accessToken,
      token_type: 'Bearer' as const,
      expires_in: pair.expiresIn,
      ...(inBody ? { refresh_token: pair.refreshToken } : {}),
    });

    const signIn = async (request: FastifyRequest, reply: FastifyReply, user: User, amr: Amr[], inBody: boolean) => {
      const meta = requestMeta(request);
      const pair = await ctx.tokens.signIn({ userId: user.id, ip: meta.ip, userAgent: meta.userAgent });
      await recordAuthentication(ctx, user.id, signInKey({ kind: 'jwt', id: pair.familyId, expiresAt: null, scopes: [] }), amr);
      setRefreshCookie(reply, pair);
      void reply.header('cache-control', 'no-store');
      return tokenBody(pair, inBody);
    };
    const InBody = Type.Optional(Type.Boolean({ description: 'Non-browser clients: return the refresh token in the body too' }));

    app.post(
      '/api/auth/jwt/login',
      {
        schema: {
          tags,
          summary: 'Log in; returns an access token and sets __Secure-gh.rt, or asks for the second factor',
          body: Type.Object({ email: Email, password: Password, refresh_token_in_body: InBody }, { additionalProperties: false }),
          response: { 200: Type.Union([TokenResponse, SecondFactorRequired]), ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const step = await passwordStep(ctx, request, request.body, 'jwt');
        if (step.kind === 'second-factor') {
          void reply.header('cache-control', 'no-store');
          return secondFactorRequired(step, step.methods);
        }
        return signIn(request, reply, step.user, step.amr, request.body.refresh_token_in_body === true);
      },
    );

    app.post(
      '/api/auth/jwt/login/passkey',
      {
        schema: { tags, summary: 'Sign in with a passkey alone (discoverable credential)', body: PasskeyLoginBody, response: { 200: TokenResponse, ...errorResponses } },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const { user, amr } = await passkeyLogin(ctx, request, request.body, 'jwt');
        return signIn(request, reply, user, amr, false);
      },
    );
    app.post(
      '/api/auth/jwt/login/second-factor',
      {
        schema: {
          tags,
          summary: 'Second step: ticket + code; returns an access token and sets __Secure-gh.rt',
          body: Type.Composite([SecondFactorBody, Type.Object({ refresh_token_in_body: InBody })], { additionalProperties: false }),
          response: { 200: TokenResponse, ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const { user, amr } = await secondFactorStep(ctx, request, request.body, 'jwt');
        return signIn(request, reply, user, amr, request.body.refresh_token_in_body === true);
      },
    );

    app.post(
      '/api/auth/jwt/refresh',
      {
        schema: { tags, summary: 'Rotate the refresh token and get a new access token', body: RefreshBody, response: { 200: TokenResponse, ...errorResponses } },
        config: { rateLimit: { max: 300, timeWindow: '1 minute' } },
        preValidation: emptyBodyIsEmptyObject,
      },
      async (request, reply) => {
        const fromBody = request.body.refresh_token;
        const token = fromBody ?? request.cookies[cookieName];
        if (!token) throw new GatehouseError('GH_TOKEN_REFRESH_MISSING');
        void reply.header('cache-control', 'no-store');
        try {
          const pair = await ctx.tokens.refresh(token);
          if (!fromBody) setRefreshCookie(reply, pair);
          return tokenBody(pair, fromBody !== undefined);
        } catch (error) {
          if (!fromBody) clearRefreshCookie(reply);
          if (isGatehouseError(error) && error.code === 'GH_TOKEN_REFRESH_REUSED') {
            const familyId = error.internal?.familyId ?? '';
            const userId = error.internal?.userId ?? '';
            await ctx.identity.audit.record({ type: 'token.reuse', userId, ...requestMeta(request), data: { familyId } });
            await ctx.events.revoked({ kind: 'family', userId, familyIds: [familyId] });
          }
          throw error;
        }
      },
    );

    app.post(
      '/api/auth/jwt/logout',
      {
        preValidation: emptyBodyIsEmptyObject,
        preHandler: hooks.optionalAuth(),
        schema: {
          tags,
          summary: 'End this sign-in: the refresh family dies and its access tokens are refused on every node at once',
          body: RefreshBody,
          response: { 204: Type.Null(), 400: ErrorBody },
        },
      },
      async (request, reply) => {
        const token = request.body.refresh_token ?? request.cookies[cookieName];
        let family = token ? await ctx.tokens.signOut(token) : null;
        // A client that lost its refresh token can still end its sign-in with the access token.
        const principal = request.principal;
        if (!family && principal?.credential.kind === 'jwt' && principal.credential.id) {
          await ctx.tokens.revokeFamilies([principal.credential.id], 'logout');
          family = { familyId: principal.credential.id, userId: principal.userId };
        }
        if (family) {
          await ctx.identity.audit.record({ type: 'logout', userId: family.userId, ...requestMeta(request), data: { mode: 'jwt', familyId: family.familyId } });
          await ctx.events.revoked({ kind: 'family', userId: family.userId, familyIds: [family.familyId] });
        }
        clearRefreshCookie(reply);
        return reply.status(204).send(null);
      },
    );

    app.get('/.well-known/jwks.json', { schema: { tags, summary: 'Public signing keys: current, next and previous', response: { 200: JwksResponse } } }, async (_request, reply) => {
      // `next` is published ahead of its first use, so a short cache never misses a rotation.
      void reply.header('cache-control', 'public, max-age=300');
      return ctx.tokens.keystore.jwks();
    });
  };
}
