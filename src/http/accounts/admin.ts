import { GatehouseError, type Clock } from '../../core/index.js';
import type { Identity, User } from '../../identity/index.js';
import type { SessionManager } from '../../sessions/index.js';
import { endCredentials } from '../end-credentials.js';
import type { SecurityEvents } from '../events.js';
import type { UserRecords } from './user-records.js';

/** Who performs an operator action: a signed-in admin (web console) or the CLI on the server. */
export interface Actor {
  /** The acting admin's user id; null for the CLI. */
  id: string | null;
  via: 'web' | 'cli';
  ip?: string | null;
  userAgent?: string | null;
}

export interface AdminDeps {
  identity: Identity;
  sessions: SessionManager;
  events: SecurityEvents;
  clock: Clock;
  records: UserRecords;
  /** Mails the user that an operator removed their second factors. */
  notifyFactorsReset?(user: User): void;
}

/**
 * Operator actions on users, shared by the admin console and the CLI. Each is audited in the target's
 * log with the acting admin named, so the user sees who did it and the operator can be held to it.
 */
export function createUserAdmin(deps: AdminDeps) {
  const { identity, clock, records } = deps;
  const audit = (type: string, target: string, actor: Actor, data: Record<string, unknown> = {}) =>
    identity.audit.record({ type, userId: target, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, data: { ...data, actorId: actor.id, via: actor.via } });
  const mustGet = async (userId: string): Promise<User> => {
    const user = await identity.getUser(userId);
    if (!user) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
    return user;
  };
  const notSelf = (actor: Actor, userId: string) => {
    if (actor.id === userId) throw new GatehouseError('GH_AUTH_SELF_ADMIN_ACTION');
  };

  return {
    search: (query: string, limit = 50) => records.search(query, Math.min(Math.max(limit, 1), 200)),
    get: mustGet,

    /** Refuses every later login and request, and ends every credential the user holds now. */
    async disable(userId: string, actor: Actor): Promise<User> {
      notSelf(actor, userId);
      await mustGet(userId);
      await records.setDisabled(userId, clock.now(), clock.now());
      const { sessionsEnded } = await endCredentials(deps, userId, { reason: 'account-disabled' });
      await audit('admin.user.disable', userId, actor, { sessionsEnded });
      return mustGet(userId);
    },

    async enable(userId: string, actor: Actor): Promise<User> {
      await mustGet(userId);
      await records.setDisabled(userId, null, clock.now());
      await audit('admin.user.enable', userId, actor);
      return mustGet(userId);
    },

    /**
     * A user who lost their authenticator and their recovery codes: the operator (who has checked who
     * is asking, out of band) removes the factors. Every credential ends, the user is told by mail, and
     * the event names the operator. Nothing here is reachable by email alone.
     */
    async resetSecondFactors(userId: string, actor: Actor): Promise<User> {
      const user = await mustGet(userId);
      await identity.factors.removeAll(userId);
      const { sessionsEnded } = await endCredentials(deps, userId, { reason: 'admin' });
      await audit('admin.user.factors-reset', userId, actor, { sessionsEnded });
      deps.notifyFactorsReset?.(user);
      return mustGet(userId);
    },

    /** "Log out everywhere" on the user's behalf. */
    async logoutEverywhere(userId: string, actor: Actor): Promise<number> {
      await mustGet(userId);
      const { sessionsEnded } = await endCredentials(deps, userId, { reason: 'admin' });
      await audit('admin.user.logout', userId, actor, { sessionsEnded });
      return sessionsEnded;
    },

    /** Grants or removes the admin role; an admin cannot demote themselves (no console without an admin). */
    async setAdmin(userId: string, admin: boolean, actor: Actor): Promise<User> {
      if (!admin) notSelf(actor, userId);
      const user = await mustGet(userId);
      const roles = admin ? [...new Set([...user.roles, 'admin'])] : user.roles.filter((r) => r !== 'admin');
      const updated = await identity.setRoles(userId, roles);
      // Roles ride in live access tokens: a demoted admin's existing credentials must not keep the role.
      if (!admin) await endCredentials(deps, userId, { reason: 'admin' });
      await audit(admin ? 'admin.role.grant' : 'admin.role.revoke', userId, actor, { role: 'admin' });
      return updated;
    },
  };
}

export type UserAdmin = ReturnType<typeof createUserAdmin>;
