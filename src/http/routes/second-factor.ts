import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { FactorStatus, GatehouseError, isGatehouseError, RecoveryCodes, TotpEnrolment } from '../../core/index.js';
import type { AppContext } from '../context.js';
import { endCredentials } from '../end-credentials.js';
import type { AuthHooks } from '../guard.js';
import { relyingParty, type Amr } from '../login.js';
import { requestMeta } from '../request-meta.js';
import { renewOwnCookie } from '../renew-own-cookie.js';
import { Password, errorResponses } from '../schemas.js';
import { REAUTH_ENDPOINT, recordAuthentication, signInKey, stepUp } from '../step-up.js';
import { askerOf } from './account-lifecycle.js';

const Code = Type.String({ minLength: 1, maxLength: 64 });

/** What this plugin reads of the node: factors and passkeys (identity, origin), their mail (accounts), step-up (kv, clock), ending credentials (sessions, events) and renewing the caller's own cookie (sealer, cookies, config). */
export type SecondFactorRouteDeps = Pick<AppContext, 'config' | 'clock' | 'kv' | 'cookies' | 'sealer' | 'identity' | 'origin' | 'sessions' | 'events' | 'accounts'>;

/**
 * The account's second factors (TOTP and recovery codes) and re-authentication. Every change needs a
 * recent authentication (step-up): a stolen session alone cannot add, see or remove a factor.
 */
export function secondFactorRoutes(ctx: SecondFactorRouteDeps, hooks: AuthHooks): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['second factor'];
    const guarded = [hooks.requireAuth(), stepUp(ctx)];

    app.get(
      '/api/account/factors',
      { preHandler: hooks.requireAuth(), schema: { tags, summary: "The caller's second factors", response: { 200: FactorStatus, ...errorResponses } } },
      async (request) => ctx.identity.factors.status(request.principal!.userId),
    );

    app.post(
      REAUTH_ENDPOINT,
      {
        preHandler: hooks.requireAuth(),
        schema: {
          tags,
          summary: 'Prove it is you again (password, and a code when a second factor is set up); sensitive changes need this within 5 minutes',
          body: Type.Object(
            { password: Password, code: Type.Optional(Code), ceremony: Type.Optional(Type.String({ maxLength: 64 })), passkey: Type.Optional(Type.Object({}, { additionalProperties: true })) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ until: Type.Number({ description: 'epoch ms' }) }), ...errorResponses },
        },
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request) => {
        const principal = request.principal!;
        const meta = requestMeta(request);
        try {
          const user = await ctx.identity.verifyPassword({ userId: principal.userId, password: request.body.password, ip: meta.ip });
          const amr: Amr[] = ['pwd'];
          if (request.body.passkey !== undefined) {
            const proven = await ctx.identity.passkeys.authenticate({ ceremony: request.body.ceremony, response: request.body.passkey, rp: relyingParty(ctx) });
            if (proven.userId !== user.id) throw new GatehouseError('GH_MFA_PASSKEY_INVALID');
            amr.push(proven.amr);
          } else if (await ctx.identity.factors.enrolled(user.id)) {
            await ctx.identity.factors.verify({ user, code: request.body.code ?? '', ip: meta.ip });
            amr.push('otp');
          }
          await recordAuthentication(ctx, user.id, signInKey(principal.credential), amr);
          await ctx.identity.audit.record({ type: 'reauth.success', userId: user.id, ...meta, data: { credential: principal.credential.kind, amr } });
          return { until: ctx.clock.now() + 5 * 60 * 1000 };
        } catch (error) {
          if (isGatehouseError(error) && (error.code === 'GH_AUTH_INVALID_CREDENTIALS' || error.code === 'GH_MFA_CODE_INVALID')) {
            await ctx.identity.audit.record({ type: 'reauth.failure', userId: principal.userId, ...meta, data: { credential: principal.credential.kind, reason: error.code } });
          }
          throw error;
        }
      },
    );

    app.post(
      '/api/account/factors/totp',
      {
        preHandler: guarded,
        schema: {
          tags,
          summary: 'Start setting up an authenticator app: a new secret, off until confirmed with a code',
          response: { 200: TotpEnrolment, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal!;
        const { secret, uri } = await ctx.identity.factors.startTotp({ id: principal.userId, email: principal.email }, 'gatehouse');
        const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
        void reply.header('cache-control', 'no-store');
        return { secret, uri, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
      },
    );

    app.post(
      '/api/account/factors/totp/confirm',
      {
        preHandler: guarded,
        schema: {
          tags,
          summary: 'Turn the authenticator on with its first code; every other sign-in ends; returns the recovery codes',
          body: Type.Object({ code: Code }, { additionalProperties: false }),
          response: { 200: RecoveryCodes, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal!;
        const meta = requestMeta(request);
        const { recoveryCodes } = await ctx.identity.factors.confirmTotp({ user: { id: principal.userId, email: principal.email }, code: request.body.code, ip: meta.ip });
        // Sign-ins made with the password alone end: one of them may be the very thief the factor is
        // meant to stop, and from now on every live credential of this user passed the second factor.
        const { user, sessionsEnded } = await endCredentials(ctx, principal.userId, { reason: 'second-factor', keep: principal.credential });
        await recordAuthentication(ctx, user.id, signInKey(principal.credential), ['pwd', 'otp']);
        await renewOwnCookie(ctx, reply, principal, user);
        await ctx.identity.audit.record({ type: 'mfa.totp.enable', userId: user.id, ...meta, data: { sessionsEnded } });
        ctx.accounts.notifySecondFactorChange(user, 'second-factor-changed', askerOf(request).lang);
        void reply.header('cache-control', 'no-store');
        return { recoveryCodes };
      },
    );

    app.delete(
      '/api/account/factors/totp',
      { preHandler: guarded, schema: { tags, summary: 'Turn two-step verification off: the authenticator and the recovery codes are removed', response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        const principal = request.principal!;
        const user = await ctx.identity.getUser(principal.userId);
        await ctx.identity.factors.removeTotp(principal.userId);
        await ctx.identity.audit.record({ type: 'mfa.totp.disable', userId: principal.userId, ...requestMeta(request) });
        if (user) ctx.accounts.notifySecondFactorChange(user, 'second-factor-changed', askerOf(request).lang);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/account/factors/recovery-codes',
      { preHandler: guarded, schema: { tags, summary: 'Ten new recovery codes; the old ones stop working', response: { 200: RecoveryCodes, ...errorResponses } } },
      async (request, reply) => {
        const principal = request.principal!;
        const recoveryCodes = await ctx.identity.factors.regenerateRecoveryCodes(principal.userId);
        await ctx.identity.audit.record({ type: 'mfa.recovery-codes.regenerate', userId: principal.userId, ...requestMeta(request) });
        void reply.header('cache-control', 'no-store');
        return { recoveryCodes };
      },
    );
  };
}
