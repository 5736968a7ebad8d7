import { GatehouseError, sha256, type Clock, type Config } from '../core/index.js';
import type { KeyValueStore } from '../storage/index.js';
import type { AuditLog, LoginThrottle, ThrottleInput, ThrottleReservation } from './types.js';

interface Scope {
  name: 'account' | 'ip';
  key: string;
  free: number;
  cap: number;
}

/** What one scope's reservation took: the attempt number, and the delay gate it holds (if any). */
interface Held {
  scope: Scope;
  attempt: number;
  gateMs: number;
}

/**
 * Brute-force protection kept in the shared KeyValueStore, so every node sees the same counts.
 *
 * Every secret check (login, the current password of a password change, an OAuth client secret, any
 * later code check) first *reserves* its attempt: the attempt counter is incremented atomically in the
 * shared store before the secret is verified, so concurrent guesses cannot all read "no delay yet" and
 * all be evaluated. The first `free` attempts of a window pass. Past them, an attempt must also take
 * the scope's delay gate (set-if-absent, lifetime baseDelayMs · 2^k, capped): one attempt per delay,
 * on every node, however many arrive at once. A refused attempt gives its count back.
 *
 * Scopes: the account (email or client id, hashed) and the client IP. The account cap is short
 * (maxAccountDelayMs): failing on purpose can only slow a real user down for that long. The IP cap is
 * long: one source guessing many accounts is slowed hard. A success clears the account's count and
 * gate, and gives back its IP reservation (it was not a failure), so a known account cannot reset an
 * attacker's IP count.
 *
 * A success also marks that client IP as known for the account (for TRUSTED_MS): the account scope
 * does not gate it, so an attacker failing on purpose from elsewhere cannot slow the owner down where
 * they usually sign in (OWASP's "device cookie" idea, keyed by IP as the throttle runs before any cookie
 * is read). The IP's own scope still applies to it.
 */
export function createLoginThrottle(deps: { kv: KeyValueStore; clock: Clock; config: Config; audit: AuditLog }): LoginThrottle {
  const { kv, clock, audit } = deps;
  const t = deps.config.throttle;
  const windowMs = t.windowSec * 1000;
  const TRUSTED_MS = 30 * 24 * 3600 * 1000;
  const subject = (input: ThrottleInput) => `${input.kind ?? 'password'}\n${input.email.trim().toLowerCase()}`;
  // Emails are hashed in keys: the shared store should not hold a list of who tried to log in.
  const accountKey = (input: ThrottleInput) => `throttle:acct:${sha256(input.kind && input.kind !== 'password' ? subject(input) : input.email.trim().toLowerCase())}`;
  const trustedKey = (input: ThrottleInput) => `throttle:known:${sha256(`${subject(input)}\n${input.ip}`)}`;

  const scopes = (input: ThrottleInput): Scope[] => [
    { name: 'account', key: accountKey(input), free: t.accountFreeAttempts, cap: t.maxAccountDelayMs },
    { name: 'ip', key: `throttle:ip:${input.ip}`, free: t.ipFreeAttempts, cap: t.maxIpDelayMs },
  ];

  const delayFor = (attempt: number, scope: Scope): number => {
    const over = attempt - scope.free;
    if (over <= 0) return 0;
    // 2^30 already exceeds any sane cap; the clamp keeps the arithmetic finite.
    return Math.min(t.baseDelayMs * 2 ** Math.min(over - 1, 30), scope.cap);
  };

  const release = async (held: Held): Promise<void> => {
    await kv.increment(`${held.scope.key}:count`, windowMs, -1);
    if (held.gateMs > 0) await kv.delete(`${held.scope.key}:gate`);
  };

  /** Takes one attempt in a scope, or throws GH_AUTH_THROTTLED having given it back. */
  const take = async (scope: Scope): Promise<Held> => {
    const attempt = await kv.increment(`${scope.key}:count`, windowMs);
    const gateMs = delayFor(attempt, scope);
    if (gateMs === 0 || (await kv.setIfAbsent(`${scope.key}:gate`, String(attempt), gateMs))) return { scope, attempt, gateMs };
    await kv.increment(`${scope.key}:count`, windowMs, -1);
    const until = (await kv.expiresAt(`${scope.key}:gate`)) ?? clock.now() + t.baseDelayMs;
    const retryAfter = Math.max(1, Math.ceil((until - clock.now()) / 1000));
    throw new GatehouseError('GH_AUTH_THROTTLED', {
      message: `Too many failed attempts; retry in ${retryAfter} s.`,
      headers: { 'Retry-After': String(retryAfter) },
      details: { retryAfter },
    });
  };

  return {
    async reserve(input): Promise<ThrottleReservation> {
      const [account, ip] = scopes(input);
      // From a known place the account scope is not taken, so whether a success has failures to clear
      // is read now, in parallel with the mark: a success then writes nothing for the account unless
      // there is something to clear (each delete is a write, several times a read's cost on SQLite). A
      // failure recorded elsewhere after this read is left counting: the account only stays slower.
      const [trustedUntil, accountCount, accountGate] =
        input.trustKnownIp === false
          ? [null, null, null]
          : await Promise.all([kv.expiresAt(trustedKey(input)), kv.get(`${account!.key}:count`), kv.expiresAt(`${account!.key}:gate`)]);
      const known = trustedUntil !== null;
      const held: Held[] = [];
      try {
        if (!known) held.push(await take(account!));
        held.push(await take(ip!));
      } catch (error) {
        for (const h of held) await release(h);
        throw error;
      }
      let settled = false;
      return {
        async fail(userId) {
          if (settled) return;
          settled = true;
          // From a known IP the account was not gated, but the failure still counts against it.
          if (known) await kv.increment(`${account!.key}:count`, windowMs);
          for (const h of held) {
            if (h.gateMs === 0) continue;
            await audit.record({
              type: 'throttle',
              userId: h.scope.name === 'account' ? (userId ?? input.userId ?? null) : null,
              ip: input.ip,
              data: { scope: h.scope.name, kind: input.kind ?? 'password', failures: h.attempt, delayMs: h.gateMs },
            });
          }
        },
        async succeed() {
          if (settled) return;
          settled = true;
          if (!known || accountCount !== null) await kv.delete(`${account!.key}:count`);
          if (!known || accountGate !== null) await kv.delete(`${account!.key}:gate`);
          const ipHeld = held.find((h) => h.scope.name === 'ip');
          if (ipHeld) await kv.increment(`${ipHeld.scope.key}:count`, windowMs, -1);
          // Renewed only once half its life is gone: a client authenticating on every token request
          // would otherwise pay a store write per request to move a 30-day expiry by milliseconds.
          if (trustedUntil === null || trustedUntil - clock.now() < TRUSTED_MS / 2) await kv.set(trustedKey(input), '1', TRUSTED_MS);
        },
      };
    },
  };
}
