import { join } from 'node:path';
import { GatehouseError } from '../core/index.js';
import { createSqlAuditLog } from './audit-log.js';
import { normalizeEmail, tryNormalizeEmail } from './email.js';
import { createLoginThrottle } from './login-throttle.js';
import { createPasskeys, createPendingLogins, createSecondFactors } from './mfa/index.js';
import { createPasswordHasher } from './password-hasher.js';
import { checkPasswordPolicy } from './password-policy.js';
import type { Identity, IdentityDeps, User } from './types.js';
import { checkName, checkRoles, createUserRepository, publicUser } from './users.js';
import { createUserCache, type UserCache } from './user-cache.js';

/** What every sign-up gets, from the web or from `gatehouse user create`. */
export const DEFAULT_ROLES: readonly string[] = ['user'];

/**
 * Accounts: signup, login (throttled, no user enumeration), password change and "log out everywhere"
 * (both bump credentialVersion), roles, and the audit log of all of it.
 *
 * The only audit event written here is `throttle` (only the throttle knows when a delay starts); the
 * HTTP layer records signup, login.*, logout*, password.change and session events, as it alone knows
 * the request's IP, user agent and credential mode.
 */
export function createIdentity(deps: IdentityDeps): Identity {
  const { db, kv, clock, ids, config, logger } = deps;
  // The cache and the repository know each other: the cache reads through it, its writes drop entries.
  const users = createUserRepository(db, (id, work) => userCache.writing(id, work));
  const userCache: UserCache = createUserCache(async (id) => {
    const user = await users.byId(id);
    return user ? publicUser(user) : null;
  }, { size: config.userCache.size, maxAgeMs: config.userCache.maxAgeSec * 1000, clock, feed: deps.userChanges ?? null });
  const passwords = deps.passwords ?? createPasswordHasher(config);
  // Each node spools its own unwritten audit events next to the SQLite file / instance secret.
  const spoolFile = join(config.server.dataDir, `audit-spool-${config.server.nodeId ?? 'node'}.jsonl`);
  const audit = createSqlAuditLog({ db, clock, ids, logger, spoolFile });
  const throttle = createLoginThrottle({ kv, clock, config, audit });

  // Unknown emails are verified against this hash (made with the current parameters), so both
  // answers cost one argon2id verify: same error, about the same time.
  let dummyHash: Promise<string> | undefined;
  const dummy = (): Promise<string> => (dummyHash ??= passwords.hash(ids.token(24)));

  const mustGet = async (userId: string) => {
    const user = await users.byId(userId);
    if (!user) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
    return user;
  };

  // The same throttle as login: a stolen session must not become a fast password oracle.
  const checkCurrentPassword = async (userId: string, password: string, ip: string) => {
    const user = await mustGet(userId);
    const attempt = await throttle.reserve({ email: user.email, ip, userId: user.id, trustKnownIp: false });
    if (!(await passwords.verify(user.passwordHash, password))) {
      await attempt.fail(user.id);
      throw new GatehouseError('GH_AUTH_INVALID_CREDENTIALS', { message: 'The current password is incorrect.' });
    }
    await attempt.succeed();
    return user;
  };

  return {
    audit,
    throttle,
    passwords,
    factors: createSecondFactors({ db, clock, throttle }),
    pendingLogins: createPendingLogins({ kv, clock, ids }),
    passkeys: createPasskeys({ db, kv, clock, ids }),

    async signup(input) {
      const email = normalizeEmail(input.email);
      const name = checkName(input.name);
      const roles = checkRoles(input.roles ?? DEFAULT_ROLES);
      checkPasswordPolicy(input.password, config, { email });
      // Cheap pre-check first: no argon2 work for a taken email. The unique index still decides races.
      if (await users.byEmail(email)) throw new GatehouseError('GH_AUTH_EMAIL_TAKEN', { details: { field: 'email' } });
      const now = clock.now();
      const user = {
        id: ids.uuid(),
        email,
        name,
        roles,
        credentialVersion: 1,
        createdAt: now,
        updatedAt: now,
        emailVerifiedAt: input.emailVerifiedVia ? now : null,
        emailVerifiedVia: input.emailVerifiedVia ?? null,
        disabledAt: null,
        passwordHash: await passwords.hash(input.password),
      };
      await users.insert(user);
      return publicUser(user);
    },

    async authenticate(input) {
      const email = tryNormalizeEmail(input.email);
      const password = typeof input.password === 'string' ? input.password : '';
      const key = { email: email ?? String(input.email ?? '').slice(0, 320), ip: input.ip };
      const attempt = await throttle.reserve(key);
      const user = email ? await users.byEmail(email) : null;
      const ok = await passwords.verify(user?.passwordHash ?? (await dummy()), password);
      if (!user || !ok) {
        await attempt.fail(user?.id ?? null);
        throw new GatehouseError('GH_AUTH_INVALID_CREDENTIALS');
      }
      await attempt.succeed();
      // Only after the password proved right: a stranger learns nothing about the account's state.
      if (user.disabledAt != null) throw new GatehouseError('GH_AUTH_ACCOUNT_DISABLED');
      if (passwords.needsRehash(user.passwordHash)) {
        // The parameters changed since this hash was made; the plain password is at hand only now.
        await users.setPasswordHash(user.id, await passwords.hash(password), clock.now(), false);
        logger.info({ userId: user.id }, 'password rehashed with the current parameters');
      }
      return publicUser(user);
    },

    async changePassword(input) {
      const user = await checkCurrentPassword(input.userId, input.currentPassword, input.ip);
      checkPasswordPolicy(input.newPassword, config, { email: user.email });
      await users.setPasswordHash(user.id, await passwords.hash(input.newPassword), clock.now(), true);
      return publicUser(await mustGet(user.id));
    },

    async verifyPassword(input) {
      return publicUser(await checkCurrentPassword(input.userId, input.password, input.ip));
    },

    async setPassword(input) {
      const user = await mustGet(input.userId);
      checkPasswordPolicy(input.newPassword, config);
      await users.setPasswordHash(user.id, await passwords.hash(input.newPassword), clock.now(), true);
      return publicUser(await mustGet(user.id));
    },

    async bumpCredentialVersion(userId) {
      const user = await users.bumpVersion(userId, clock.now());
      if (!user) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
      return publicUser(user);
    },

    async getUser(id) {
      const user = await users.byId(id);
      return user ? publicUser(user) : null;
    },

    currentUser: (id) => userCache.get(id),
    changingUser: (userId, work) => userCache.writing(userId, work),
    userCache,

    async findUserByEmail(raw) {
      const email = tryNormalizeEmail(raw);
      if (!email) return null;
      const user = await users.byEmail(email);
      return user ? publicUser(user) : null;
    },

    async setRoles(userId, roles): Promise<User> {
      const user = await users.setRoles(userId, checkRoles(roles), clock.now());
      if (!user) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
      return publicUser(user);
    },
  };
}
