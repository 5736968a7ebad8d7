import { GatehouseError, sha256, type Clock, type Config } from '../core/index.js';
import type { KeyValueStore } from '../storage/index.js';
import type { AuditLog, LoginThrottle, ThrottleInput } from './types.js';

interface Scope {
  name: 'account' | 'ip';
  key: string;
  free: number;
  cap: number;
}

/**
 * Brute-force protection kept in the shared KeyValueStore, so every node sees the same counts.
 * Failures are counted per account and per client IP in a fixed window (throttle.windowSec). After the
 * free attempts each further failure starts a delay that doubles (baseDelayMs · 2^k), capped. The
 * account cap is short (maxAccountDelayMs, 1 min): failing on purpose can only slow a real user down
 * for that long, never lock them out. The IP cap is long: one source guessing many accounts is slowed
 * hard. A success clears the account's count, not the IP's (else one known account would reset an
 * attacker's IP count between guesses).
 *
 * A success also marks that client IP as known for the account (for TRUSTED_MS): the account delay
 * does not apply there, so an attacker failing on purpose from elsewhere cannot slow the owner down
 * at all where they usually sign in (OWASP's "device cookie" idea, keyed by IP as the throttle runs
 * before any cookie is read). The IP's own delay still applies to it.
 */
export function createLoginThrottle(deps: { kv: KeyValueStore; clock: Clock; config: Config; audit: AuditLog }): LoginThrottle {
  const { kv, clock, audit } = deps;
  const t = deps.config.throttle;
  const windowMs = t.windowSec * 1000;
  const TRUSTED_MS = 30 * 24 * 3600 * 1000;
  const accountKey = (email: string) => `throttle:acct:${sha256(email.trim().toLowerCase())}`;
  const trustedKey = (input: ThrottleInput) => `throttle:known:${sha256(`${input.email.trim().toLowerCase()}\n${input.ip}`)}`;

  // Emails are hashed in keys: the shared store should not hold a list of who tried to log in.
  const scopes = (input: ThrottleInput): Scope[] => [
    { name: 'account', key: accountKey(input.email), free: t.accountFreeAttempts, cap: t.maxAccountDelayMs },
    { name: 'ip', key: `throttle:ip:${input.ip}`, free: t.ipFreeAttempts, cap: t.maxIpDelayMs },
  ];

  const delayFor = (failures: number, scope: Scope): number => {
    const over = failures - scope.free;
    if (over <= 0) return 0;
    // 2^30 already exceeds any sane cap; the clamp keeps the arithmetic finite.
    return Math.min(t.baseDelayMs * 2 ** Math.min(over - 1, 30), scope.cap);
  };

  return {
    async check(input) {
      const now = clock.now();
      let until = 0;
      const known = (await kv.get(trustedKey(input))) !== null;
      for (const scope of scopes(input)) {
        if (scope.name === 'account' && known) continue;
        const value = await kv.get(`${scope.key}:until`);
        if (value !== null) until = Math.max(until, Number(value));
      }
      if (until > now) {
        const retryAfter = Math.max(1, Math.ceil((until - now) / 1000));
        throw new GatehouseError('GH_AUTH_THROTTLED', {
          message: `Too many failed attempts; retry in ${retryAfter} s.`,
          headers: { 'Retry-After': String(retryAfter) },
          details: { retryAfter },
        });
      }
    },

    async fail(input) {
      for (const scope of scopes(input)) {
        const failures = await kv.increment(`${scope.key}:count`, windowMs);
        const delay = delayFor(failures, scope);
        if (delay === 0) continue;
        await kv.set(`${scope.key}:until`, String(clock.now() + delay), delay);
        await audit.record({
          type: 'throttle',
          userId: scope.name === 'account' ? (input.userId ?? null) : null,
          ip: input.ip,
          data: { scope: scope.name, failures, delayMs: delay },
        });
      }
    },

    async succeed(input) {
      const [account] = scopes(input);
      await kv.delete(`${account!.key}:count`);
      await kv.delete(`${account!.key}:until`);
      await kv.set(trustedKey(input), '1', TRUSTED_MS);
    },
  };
}
