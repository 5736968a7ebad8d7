import type { Kysely } from 'kysely';
import type { Clock, Config, IdSource, Logger } from '../core/index.js';
import type { Database, KeyValueStore, UserChangeFeed } from '../storage/index.js';
import type { UserCache } from './user-cache.js';
import type { Passkeys, PendingLogins, SecondFactors } from './mfa/index.js';

export interface User {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  /** Bumped by a password change or "log out everywhere"; sealed cookies carrying an older one are dead. */
  credentialVersion: number;
  createdAt: number;
  updatedAt: number;
  /** Epoch ms when the email address was proven; null while unverified. */
  emailVerifiedAt: number | null;
  /** How it was proven: `email-link`, `admin`, or `provider:<name>`. */
  emailVerifiedVia: string | null;
  /** Epoch ms when an operator disabled the account; null while enabled. */
  disabledAt: number | null;
}

export type AuditEventType =
  | 'signup'
  | 'login.success'
  | 'login.failure'
  | 'logout'
  | 'session.revoke'
  | 'sessions.revoke-others'
  | 'logout.everywhere'
  | 'password.change'
  | 'password.change.failure'
  | 'throttle'
  | 'token.reuse'
  | 'token.revoke'
  | 'oauth.grant'
  | 'oauth.revoke'
  | 'oauth.client-auth.failure'
  | (string & {});

export interface AuditEvent {
  id: string;
  /** Epoch ms. */
  at: number;
  type: AuditEventType;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
}

export interface AuditEventInput {
  type: AuditEventType;
  userId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditQuery {
  userId?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** Only events strictly older than this epoch ms (for paging). */
  before?: number;
}

export interface AuditLog {
  record(event: AuditEventInput): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditEvent[]>;
}

/** Which secret is being guessed: each kind has its own account counters, all share the IP's. */
export type SecretKind = 'password' | 'client-secret' | 'code' | 'second-factor';

export interface ThrottleInput {
  /** The account the secret belongs to: an email, or a client id for client secrets. */
  email: string;
  ip: string;
  /** Default 'password'. */
  kind?: SecretKind;
  /** The account, when known: lets a `throttle` audit event land in the user's own log. */
  userId?: string | null;
  /**
   * Default true: an IP the account signed in from before is not held back by the account's delay.
   * A re-authentication (the current password of a signed-in user) passes false: its caller may be
   * whoever holds the session, wherever it was stolen.
   */
  trustKnownIp?: boolean;
}

/** One reserved attempt: settle it with the outcome of the check. */
export interface ThrottleReservation {
  fail(userId?: string | null): Promise<void>;
  succeed(): Promise<void>;
}

export interface LoginThrottle {
  /**
   * Reserves one attempt in the shared store before the secret is verified. Throws GH_AUTH_THROTTLED
   * (429, headers {'Retry-After': secs}, details {retryAfter}) when the attempt is over the limit.
   */
  reserve(input: ThrottleInput): Promise<ThrottleReservation>;
}

export interface PasswordHasher {
  hash(pw: string): Promise<string>;
  verify(hash: string, pw: string): Promise<boolean>;
  /** True when the hash was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean;
}

export interface Identity {
  /**
   * `emailVerifiedVia`: the address is already proven at creation (e.g. `provider:<name>`, a sign-in
   * provider the operator trusts for email), so the account starts verified.
   */
  signup(input: { email: string; password: string; name?: string | null; roles?: string[]; emailVerifiedVia?: string }): Promise<User>;
  /** Throttle check, verify (dummy hash for unknown emails: same answer, ~same time), rehash when params changed. */
  authenticate(input: { email: string; password: string; ip: string; userAgent?: string | null }): Promise<User>;
  /** Bumps credentialVersion. The current-password check is throttled like login (per account and `ip`). */
  changePassword(input: { userId: string; currentPassword: string; newPassword: string; ip: string }): Promise<User>;
  /** A signed-in user's password, checked again (re-authentication); throttled like a password change. */
  verifyPassword(input: { userId: string; password: string; ip: string }): Promise<User>;
  /** Sets a new password without the current one (a proven reset link); checks the policy, bumps credentialVersion. */
  setPassword(input: { userId: string; newPassword: string }): Promise<User>;
  /** "Log out everywhere": bumps credentialVersion, so every sealed cookie issued before is dead. */
  bumpCredentialVersion(userId: string): Promise<User>;
  getUser(id: string): Promise<User | null>;
  /**
   * The user as a credential check must see it (credential version, disabledAt, roles), served from the
   * per-node cache while its change feed vouches for it, else read from the store like getUser.
   */
  currentUser(id: string): Promise<User | null>;
  /** Runs a write to user `userId`'s row made outside this module; the cache drops the user around it. */
  changingUser<T>(userId: string, work: () => Promise<T>): Promise<T>;
  /** The per-node user cache, for status and tests. */
  userCache: Pick<UserCache, 'status' | 'onInvalidate' | 'onLive'>;
  findUserByEmail(email: string): Promise<User | null>;
  setRoles(userId: string, roles: string[]): Promise<User>;
  audit: AuditLog;
  throttle: LoginThrottle;
  passwords: PasswordHasher;
  /** Second factors: TOTP and recovery codes. */
  factors: SecondFactors;
  /** Logins whose password is proven and whose second factor is still owed. */
  pendingLogins: PendingLogins;
  /** WebAuthn credentials: a second factor, or a sign-in on their own. */
  passkeys: Passkeys;
}

export interface IdentityDeps {
  db: Kysely<Database>;
  kv: KeyValueStore;
  clock: Clock;
  ids: IdSource;
  config: Config;
  logger: Logger;
  /** Replaces the argon2id hasher (tests wrap the real one to count calls). */
  passwords?: PasswordHasher;
  /** Writes other processes make to users; without it the user cache is off. */
  userChanges?: UserChangeFeed | null;
}
