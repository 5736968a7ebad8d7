import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { GatehouseError, PasskeyView, PasskeyList, PasskeyCeremony } from '../../core/index.js';
import type { AppContext } from '../context.js';
import { endCredentials } from '../end-credentials.js';
import type { AuthHooks } from '../guard.js';
import { relyingParty } from '../login.js';
import { renewOwnCookie } from '../renew-own-cookie.js';
import { requestMeta } from '../request-meta.js';
import { ErrorBody, errorResponses } from '../schemas.js';
import { recordAuthentication, signInKey, stepUp } from '../step-up.js';

const Name = Type.String({ minLength: 1, maxLength: 100 });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) });

/** What this plugin reads of the node: passkeys (identity, origin), step-up (kv, clock), ending credentials (sessions, events) and renewing the caller's own cookie (sealer, cookies, config). */
export type PasskeyRouteDeps = Pick<AppContext, 'config' | 'clock' | 'kv' | 'identity' | 'origin' | 'sessions' | 'events' | 'sealer' | 'cookies'>;

/**
 * Passkeys: the ceremony options for signing in, and the account's own list (register several, name
 * them, remove them). Adding or removing one needs step-up, like any change of factors.
 */
export function passkeyRoutes(ctx: PasskeyRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['passkeys'];
    const rp = relyingParty(ctx);

    app.post(
      '/api/auth/passkey/options',
      {
        schema: { tags, summary: 'Options for a passkey sign-in or second step (discoverable: no account named)', response: { 200: PasskeyCeremony, ...errorResponses } },
        config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      },
      async (_request, reply) => {
        void reply.header('cache-control', 'no-store');
        return ctx.identity.passkeys.authenticationOptions(rp);
      },
    );

    app.get(
      '/api/account/passkeys',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: "The caller's passkeys", response: { 200: PasskeyList, ...errorResponses } } },
      async (request) => ({ passkeys: await ctx.identity.passkeys.list(request.principal!.userId) }),
    );

    app.post(
      '/api/account/passkeys/options',
      { preHandler: [hooks.requireAuth(), stepUp(ctx)], schema: { tags, summary: 'Options to register a new passkey', response: { 200: PasskeyCeremony, ...errorResponses } } },
      async (request, reply) => {
        const principal = request.principal!;
        void reply.header('cache-control', 'no-store');
        return ctx.identity.passkeys.registrationOptions({ id: principal.userId, email: principal.email, name: principal.name }, rp);
      },
    );

    app.post(
      '/api/account/passkeys',
      {
        preHandler: [hooks.requireAuth(), stepUp(ctx)],
        schema: {
          tags,
          summary: 'Register a passkey; the first factor of an account ends its other sign-ins',
          body: Type.Object({ ceremony: Type.String({ maxLength: 64 }), response: Type.Object({}, { additionalProperties: true }), name: Name }, { additionalProperties: false }),
          response: { 201: PasskeyView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal!;
        const hadFactor = await ctx.identity.factors.enrolled(principal.userId);
        const passkey = await ctx.identity.passkeys.register({ userId: principal.userId, ceremony: request.body.ceremony, response: request.body.response, name: request.body.name, rp });
        await ctx.identity.audit.record({ type: 'mfa.passkey.add', userId: principal.userId, ...requestMeta(request), data: { passkeyId: passkey.id, name: passkey.name } });
        if (!hadFactor) {
          // As with an authenticator app: once a factor exists, every live sign-in must have passed one.
          const { user } = await endCredentials(ctx, principal.userId, { reason: 'second-factor', keep: principal.credential });
          await recordAuthentication(ctx, user.id, signInKey(principal.credential), ['pwd', passkey.backedUp ? 'swk' : 'hwk']);
          await renewOwnCookie(ctx, reply, principal, user);
        }
        return reply.status(201).send(passkey);
      },
    );

    app.patch(
      '/api/account/passkeys/:id',
      {
        preHandler: hooks.requireAuth(),
        schema: { tags, summary: 'Rename a passkey', params: IdParams, body: Type.Object({ name: Name }, { additionalProperties: false }), response: { 200: PasskeyView, 404: ErrorBody, ...errorResponses } },
      },
      async (request) => ctx.identity.passkeys.rename(request.principal!.userId, request.params.id, request.body.name),
    );

    app.delete(
      '/api/account/passkeys/:id',
      { preHandler: [hooks.requireAuth(), stepUp(ctx)], schema: { tags, summary: 'Remove a passkey', params: IdParams, response: { 204: Type.Null(), 404: ErrorBody, ...errorResponses } } },
      async (request, reply) => {
        const principal = request.principal!;
        if (!(await ctx.identity.passkeys.remove(principal.userId, request.params.id))) throw new GatehouseError('GH_MFA_PASSKEY_NOT_FOUND');
        await ctx.identity.audit.record({ type: 'mfa.passkey.remove', userId: principal.userId, ...requestMeta(request), data: { passkeyId: request.params.id } });
        return reply.status(204).send(null);
      },
    );
  };
}
