import type { Principal } from '../core/index.js';

/**
 * Security events that other parts must react to at once: realtime closes the sockets a revoked
 * credential opened; the JWT work puts refresh families on the deny-list; OAuth grants end. Emitted by
 * the routes that revoke (and by endCredentials), after the store has changed.
 */
export type RevocationEvent =
  | { kind: 'session'; userId: string; sessionIds: string[] }
  | {
      kind: 'user';
      userId: string;
      reason: 'logout-everywhere' | 'password-change' | 'admin' | 'password-reset' | 'account-deleted' | 'account-disabled' | 'second-factor';
      /** The caller's own credential, which lives on (a password change); absent: every credential ends. */
      keep?: Principal['credential'];
    }
  | { kind: 'family'; userId: string; familyIds: string[] }
  /** The user revoked an app: every grant of that client for that user is gone. */
  | { kind: 'app'; userId: string; clientId: string; grantIds: string[] };

export interface SecurityEvents {
  on(event: 'revoked', listener: (event: RevocationEvent) => void | Promise<void>): void;
  /**
   * Runs every listener, one after another in the order they were added (store changes registered by
   * the context come before the sockets closed by the app, so a socket that reconnects at once finds
   * its credential already refused), and waits for them, so a 200 means the revocation has reached them.
   * Every listener runs even when one fails; then the first failure is thrown: a revocation that did
   * not fully happen is never reported as done.
   */
  revoked(event: RevocationEvent): Promise<void>;
}

export function createSecurityEvents(onError: (error: unknown) => void): SecurityEvents {
  const listeners: ((event: RevocationEvent) => void | Promise<void>)[] = [];
  return {
    on(_event, listener) {
      listeners.push(listener);
    },
    async revoked(event) {
      let failure: { error: unknown } | null = null;
      for (const listener of listeners) {
        try {
          await listener(event);
        } catch (error) {
          onError(error);
          failure ??= { error };
        }
      }
      if (failure) throw failure.error;
    },
  };
}
