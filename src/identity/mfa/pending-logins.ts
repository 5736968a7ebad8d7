import { GatehouseError, sha256, type Clock, type IdSource } from '../../core/index.js';
import type { KeyValueStore } from '../../storage/index.js';

/** A password proven, the second factor not yet: what the ticket stands for. */
export interface PendingLogin {
  userId: string;
  /** The login mode that started it; only that mode's second step takes the ticket. */
  mode: string;
  /** The credential version the password was proven under: a password change meanwhile voids the ticket. */
  credentialVersion: number;
  /** What else the ticket is tied to (the OAuth interaction's uid), or null. */
  bind: string | null;
  expiresAt: number;
}

export interface PendingLogins {
  /** Stores the pending login and returns its ticket (only the ticket's hash is a key in the store). */
  issue(login: Omit<PendingLogin, 'expiresAt'>): Promise<{ ticket: string; expiresAt: number }>;
  /** The pending login, if the ticket is live, of this mode and binding; else GH_MFA_TICKET_INVALID. */
  read(ticket: unknown, mode: string, bind?: string | null): Promise<PendingLogin>;
  /** Counts a wrong code against the ticket; past the limit the ticket is gone. */
  failed(ticket: string): Promise<void>;
  /** Ends the ticket once; a second call (a concurrent exchange) throws GH_MFA_TICKET_INVALID. */
  consume(ticket: string): Promise<void>;
}

const LIFETIME_MS = 5 * 60 * 1000;
/** Wrong codes one ticket may take before the password must be given again. */
const MAX_TRIES = 5;

/**
 * The "MFA pending" ticket between a login's password step and its second step. It is not a
 * credential: no resolver reads it, it sits in the shared store under its hash for five minutes, and it
 * is exchanged at most once, for the credential of the mode that issued it.
 */
export function createPendingLogins(deps: { kv: KeyValueStore; clock: Clock; ids: IdSource }): PendingLogins {
  const { kv, clock, ids } = deps;
  const key = (ticket: string) => `mfa:pending:${sha256(ticket)}`;
  const invalid = () => new GatehouseError('GH_MFA_TICKET_INVALID');
  return {
    async issue(login) {
      const ticket = ids.token(32);
      const expiresAt = clock.now() + LIFETIME_MS;
      await kv.set(key(ticket), JSON.stringify({ ...login, expiresAt }), LIFETIME_MS);
      return { ticket, expiresAt };
    },
    async read(ticket, mode, bind = null) {
      if (typeof ticket !== 'string' || ticket.length < 16 || ticket.length > 128) throw invalid();
      const raw = await kv.get(key(ticket));
      if (!raw) throw invalid();
      const login = JSON.parse(raw) as PendingLogin;
      if (login.mode !== mode || login.bind !== bind || login.expiresAt <= clock.now()) throw invalid();
      if (await kv.get(`${key(ticket)}:used`)) throw invalid();
      return login;
    },
    async failed(ticket) {
      if ((await kv.increment(`${key(ticket)}:tries`, LIFETIME_MS)) >= MAX_TRIES) await kv.delete(key(ticket));
    },
    async consume(ticket) {
      if (!(await kv.setIfAbsent(`${key(ticket)}:used`, '1', LIFETIME_MS))) throw invalid();
      await kv.delete(key(ticket));
    },
  };
}
