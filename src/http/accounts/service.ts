import { GatehouseError, sha256, type Clock, type Config, type Logger } from '../../core/index.js';
import { normalizeEmail, type Identity, type User } from '../../identity/index.js';
import { tryNormalizeEmail } from '../../identity/index.js';
import { renderMail, type MailKind, type MailLang } from '../../mail/index.js';
import type { Mailer } from '../../mail/index.js';
import type { KeyValueStore } from '../../storage/index.js';
import type { SessionManager } from '../../sessions/index.js';
import { endCredentials } from '../end-credentials.js';
import type { SecurityEvents } from '../events.js';
import type { AccountLinks } from './links.js';
import type { UserRecords } from './user-records.js';

/** Who asked, for the audit trail and the language of the mail. */
export interface Asker {
  ip: string | null;
  userAgent: string | null;
  lang: MailLang;
}

export interface AccountServiceDeps {
  identity: Identity;
  sessions: SessionManager;
  events: SecurityEvents;
  kv: KeyValueStore;
  clock: Clock;
  config: Config;
  logger: Logger;
  origin: string;
  mailer: Mailer;
  links: AccountLinks;
  records: UserRecords;
}

const HOUR = 3_600_000;

/**
 * The account lifecycle around a mailbox: verification at sign-up and on email change, the forgotten
 * password, and deletion. Each credential-ending step goes through endCredentials, so a reset or a
 * deletion ends exactly what "log out everywhere" ends.
 */
export function createAccountService(deps: AccountServiceDeps) {
  const { identity, kv, clock, config, logger, origin, mailer, links, records } = deps;
  const pending = new Set<Promise<unknown>>();

  const mail = async (kind: MailKind, to: string, lang: MailLang, link?: string, ttlSec?: number) => {
    const rendered = renderMail({ kind, lang, origin, ...(link ? { link } : {}), ...(ttlSec ? { ttlSec } : {}) });
    await mailer.send({ to, kind, ...rendered });
  };
  // Links carry the token in the fragment: it never reaches a server log or a Referer header.
  const linkTo = (page: string, token: string) => `${origin}/${page}#token=${token}`;

  /** Work the answer must not wait for (it would tell whether an account exists); tests await idle(). */
  const background = (work: () => Promise<unknown>) => {
    const run = work().catch((error: unknown) => logger.error({ err: error }, 'account mail failed'));
    pending.add(run);
    void run.finally(() => pending.delete(run));
  };

  const mustGet = async (userId: string): Promise<User> => {
    const user = await identity.getUser(userId);
    if (!user) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
    return user;
  };

  async function sendVerification(user: User, asker: Asker): Promise<void> {
    const ttlSec = config.mail.verifyTtlSec;
    const token = await links.issue({ purpose: 'verify-email', userId: user.id, email: user.email, ttlMs: ttlSec * 1000 });
    await mail('verify-email', user.email, asker.lang, linkTo('verify-email', token), ttlSec);
    await identity.audit.record({ type: 'email.verification-sent', userId: user.id, ip: asker.ip, userAgent: asker.userAgent });
  }

  return {
    /** At sign-up: the first verification mail (no resend throttle yet, but it starts one). */
    async afterSignup(user: User, asker: Asker): Promise<void> {
      await kv.set(`mail:verify:${user.id}`, '1', config.mail.resendIntervalSec * 1000);
      await sendVerification(user, asker);
    },

    /** "Send the link again": at most one mail per resendIntervalSec per account. */
    async resendVerification(userId: string, asker: Asker): Promise<void> {
      const user = await mustGet(userId);
      if (user.emailVerifiedAt != null) throw new GatehouseError('GH_AUTH_EMAIL_ALREADY_VERIFIED');
      const key = `mail:verify:${user.id}`;
      const intervalMs = config.mail.resendIntervalSec * 1000;
      if (!(await kv.setIfAbsent(key, '1', intervalMs))) {
        const until = (await kv.expiresAt(key)) ?? clock.now() + intervalMs;
        const retryAfter = Math.max(1, Math.ceil((until - clock.now()) / 1000));
        throw new GatehouseError('GH_AUTH_MAIL_THROTTLED', { headers: { 'Retry-After': String(retryAfter) }, details: { retryAfter } });
      }
      await sendVerification(user, asker);
    },

    /** Follows a verification or email-change link. */
    async confirmEmail(token: unknown, asker: Asker): Promise<{ user: User; changed: boolean }> {
      const link = await links.consume(token, ['verify-email', 'change-email']);
      const now = clock.now();
      const before = await mustGet(link.userId);
      if (link.purpose === 'change-email') {
        await records.applyEmailChange(link.userId, link.email, now);
        await identity.audit.record({ type: 'email.change', userId: link.userId, ip: asker.ip, userAgent: asker.userAgent, data: { verified: true } });
        return { user: await mustGet(link.userId), changed: before.email !== link.email };
      }
      // A link to an address the account no longer has proves nothing about the current one.
      if (!(await records.markVerified(link.userId, link.email, 'email-link', now))) throw new GatehouseError('GH_AUTH_LINK_INVALID');
      await identity.audit.record({ type: 'email.verify', userId: link.userId, ip: asker.ip, userAgent: asker.userAgent, data: { via: 'email-link' } });
      return { user: await mustGet(link.userId), changed: false };
    },

    /**
     * "Forgot password": the same answer, after the same work, whether or not the address has an
     * account; the link is made and mailed in the background. Throttled per client IP and per address
     * (both counted for unknown addresses too, so a 429 says nothing about existence).
     */
    async requestPasswordReset(rawEmail: unknown, asker: Asker & { ip: string }): Promise<void> {
      const email = tryNormalizeEmail(rawEmail) ?? String(rawEmail ?? '').slice(0, 320).toLowerCase();
      const perIp = await kv.increment(`reset:ip:${asker.ip}`, HOUR);
      const perEmail = await kv.increment(`reset:email:${sha256(email)}`, HOUR);
      if (perIp > config.mail.resetPerIp || perEmail > config.mail.resetPerEmail) {
        const key = perIp > config.mail.resetPerIp ? `reset:ip:${asker.ip}` : `reset:email:${sha256(email)}`;
        const retryAfter = Math.max(1, Math.ceil((((await kv.expiresAt(key)) ?? clock.now() + HOUR) - clock.now()) / 1000));
        await identity.audit.record({ type: 'throttle', ip: asker.ip, userAgent: asker.userAgent, data: { scope: 'password-reset' } });
        throw new GatehouseError('GH_AUTH_THROTTLED', { headers: { 'Retry-After': String(retryAfter) }, details: { retryAfter } });
      }
      const user = tryNormalizeEmail(rawEmail) ? await identity.findUserByEmail(email) : null;
      if (!user || user.disabledAt != null) return;
      background(async () => {
        const ttlSec = config.mail.resetTtlSec;
        const token = await links.issue({ purpose: 'reset-password', userId: user.id, email: user.email, ttlMs: ttlSec * 1000 });
        await mail('reset-password', user.email, asker.lang, linkTo('reset-password', token), ttlSec);
        await identity.audit.record({ type: 'password.reset-requested', userId: user.id, ip: asker.ip, userAgent: asker.userAgent });
      });
    },

    /** Follows a reset link: new password, every credential of every kind ends, the owner is told by mail. */
    async resetPassword(token: unknown, newPassword: string, asker: Asker): Promise<User> {
      const link = await links.consume(token, ['reset-password']);
      const current = await mustGet(link.userId);
      if (current.email !== link.email || current.disabledAt != null) throw new GatehouseError('GH_AUTH_LINK_INVALID');
      await identity.setPassword({ userId: link.userId, newPassword });
      const { sessionsEnded } = await endCredentials(deps, link.userId, { reason: 'password-reset' });
      // The link reached the mailbox and came back: that proves the address as well as a verification link.
      if (current.emailVerifiedAt == null) await records.markVerified(link.userId, link.email, 'email-link', clock.now());
      await identity.audit.record({ type: 'password.reset', userId: link.userId, ip: asker.ip, userAgent: asker.userAgent, data: { sessionsEnded } });
      background(() => mail('password-changed', current.email, asker.lang));
      return mustGet(link.userId);
    },

    /** Tells the owner by mail that the password changed (a signed-in change, not a reset). */
    notifyPasswordChanged(user: User, asker: Asker): void {
      background(() => mail('password-changed', user.email, asker.lang));
    },

    /** Mails a link to the new address; the account keeps its old address until the link is followed. */
    async requestEmailChange(userId: string, input: { newEmail: unknown; currentPassword: string }, asker: Asker & { ip: string }): Promise<void> {
      const user = await mustGet(userId);
      const newEmail = normalizeEmail(input.newEmail);
      await identity.authenticate({ email: user.email, password: input.currentPassword, ip: asker.ip, userAgent: asker.userAgent });
      if (newEmail === user.email) throw new GatehouseError('GH_AUTH_EMAIL_TAKEN', { details: { field: 'email' } });
      const key = `mail:change:${user.id}`;
      if (!(await kv.setIfAbsent(key, '1', config.mail.resendIntervalSec * 1000))) throw new GatehouseError('GH_AUTH_MAIL_THROTTLED');
      // Whether another account holds the address is told by nothing here: the link fails on use instead.
      const ttlSec = config.mail.verifyTtlSec;
      const token = await links.issue({ purpose: 'change-email', userId: user.id, email: newEmail, ttlMs: ttlSec * 1000 });
      await mail('change-email', newEmail, asker.lang, linkTo('verify-email', token), ttlSec);
      await identity.audit.record({ type: 'email.change-requested', userId: user.id, ip: asker.ip, userAgent: asker.userAgent });
    },

    /** Ends everything, removes personal data, keeps one `account.delete` tombstone with the bare id. */
    async deleteAccount(userId: string, currentPassword: string, asker: Asker & { ip: string }): Promise<void> {
      const user = await mustGet(userId);
      await identity.authenticate({ email: user.email, password: currentPassword, ip: asker.ip, userAgent: asker.userAgent });
      await endCredentials(deps, userId, { reason: 'account-deleted' });
      await records.deletePersonalData(userId, user.email);
      await identity.audit.record({ type: 'account.delete', userId, data: {} });
    },

    /** Tells the account's owner, by mail, that their second factors changed (a change they may not have made). */
    notifySecondFactorChange(user: Pick<User, 'email'>, kind: 'second-factor-changed' | 'second-factor-reset', lang: MailLang): void {
      background(() => mail(kind, user.email, lang));
    },

    /** Resolves when every background mail has been handed over (tests; shutdown). */
    async idle(): Promise<void> {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
