import type { FastifyRequest } from 'fastify';
import { GatehouseError, type Principal } from '../core/index.js';
import type { AppContext } from './context.js';
import { multiFactor, type Amr } from './login.js';

/** How recent an authentication must be for a sensitive change. */
export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;
export const REAUTH_ENDPOINT = '/api/auth/reauth';

interface RecentAuth {
  at: number;
  amr: Amr[];
}

/** Names one sign-in (not the user): a session, a JWT refresh family, or one sealed cookie's issue time. */
export function signInKey(credential: Principal['credential']): string | null {
  if ((credential.kind === 'session' || credential.kind === 'jwt') && credential.id) return `${credential.kind}:${credential.id}`;
  if (credential.kind === 'cookie' && credential.issuedAt !== undefined) return `cookie:${credential.issuedAt}`;
  return null;
}

const key = (userId: string, signIn: string) => `auth:recent:${userId}:${signIn}`;

const amrKey = (userId: string, signIn: string) => `auth:amr:${userId}:${signIn}`;

/** As long as any credential can live: how a sign-in was proven outlasts the step-up window. */
const signInLifetimeMs = (config: AppContext['config']) => 1000 * Math.max(config.sessions.absoluteLifetimeSec, config.tokens.refreshAbsoluteSec, config.cookies.sealedLifetimeSec);

/**
 * Remembers that this sign-in has just proven who it is (at login or re-auth): for five minutes as a
 * step-up, and for the sign-in's life as its methods (what the OAuth provider reports as `amr` when
 * this sign-in approves an application).
 */
export async function recordAuthentication(ctx: Pick<AppContext, 'kv' | 'clock' | 'config'>, userId: string, signIn: string | null, amr: Amr[]): Promise<void> {
  if (!signIn) return;
  const value: RecentAuth = { at: ctx.clock.now(), amr };
  await ctx.kv.set(key(userId, signIn), JSON.stringify(value), STEP_UP_WINDOW_MS);
  await ctx.kv.set(amrKey(userId, signIn), JSON.stringify(amr), signInLifetimeMs(ctx.config));
}

/** The methods this sign-in was proven with; `['pwd']` when unknown (a sign-in older than the record). */
export async function signInAmr(ctx: Pick<AppContext, 'kv'>, principal: Principal): Promise<string[]> {
  const signIn = signInKey(principal.credential);
  const raw = signIn ? await ctx.kv.get(amrKey(principal.userId, signIn)) : null;
  return raw ? (JSON.parse(raw) as string[]) : ['pwd'];
}

/**
 * Changing the password, the email address or the factors, and deleting the account, need the
 * caller's sign-in to have proven itself within five minutes, with the second factor when one is set up.
 * Otherwise: GH_AUTH_REAUTH_REQUIRED (401) naming the endpoint that proves it again.
 */
export async function requireRecentAuth(ctx: Pick<AppContext, 'kv' | 'clock' | 'identity'>, principal: Principal): Promise<void> {
  const signIn = signInKey(principal.credential);
  const raw = signIn ? await ctx.kv.get(key(principal.userId, signIn)) : null;
  const recent = raw ? (JSON.parse(raw) as RecentAuth) : null;
  const secondFactor = await ctx.identity.factors.enrolled(principal.userId);
  const fresh = recent !== null && ctx.clock.now() - recent.at <= STEP_UP_WINDOW_MS;
  if (fresh && (!secondFactor || multiFactor(recent.amr))) return;
  throw new GatehouseError('GH_AUTH_REAUTH_REQUIRED', { details: { reauthenticate: REAUTH_ENDPOINT, secondFactor } });
}

/** Moves a sign-in's records to the credential that replaces it (a re-sealed cookie). */
export async function carryRecentAuth(ctx: Pick<AppContext, 'kv' | 'clock' | 'config'>, userId: string, from: string | null, to: string | null): Promise<void> {
  if (!from || !to || from === to) return;
  const methods = await ctx.kv.get(amrKey(userId, from));
  if (methods) await ctx.kv.set(amrKey(userId, to), methods, signInLifetimeMs(ctx.config));
  const raw = await ctx.kv.get(key(userId, from));
  const recent = raw ? (JSON.parse(raw) as RecentAuth) : null;
  if (!recent) return;
  const left = recent.at + STEP_UP_WINDOW_MS - ctx.clock.now();
  if (left > 0) await ctx.kv.set(key(userId, to), raw!, left);
}

/** preHandler after requireAuth: the sensitive change needs a recent authentication (see requireRecentAuth). */
export function stepUp(ctx: Pick<AppContext, 'kv' | 'clock' | 'identity'>) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.principal) throw new GatehouseError('GH_AUTH_UNAUTHENTICATED');
    await requireRecentAuth(ctx, request.principal);
  };
}
