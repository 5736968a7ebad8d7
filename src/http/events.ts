/**
 * Security events that other parts must react to at once: realtime closes the sockets a revoked
 * credential opened; the JWT work puts refresh families on the deny-list. Emitted by the routes that
 * revoke, after the store has changed.
 */
export type RevocationEvent =
  | { kind: 'session'; userId: string; sessionIds: string[] }
  | { kind: 'user'; userId: string; reason: 'logout-everywhere' | 'password-change' | 'admin' | 'password-reset' | 'account-deleted' | 'account-disabled' }
  | { kind: 'family'; userId: string; familyIds: string[] };

export interface SecurityEvents {
  on(event: 'revoked', listener: (event: RevocationEvent) => void | Promise<void>): void;
  /** Runs every listener and waits for them, so a 200 means the revocation has reached them. */
  revoked(event: RevocationEvent): Promise<void>;
}

export function createSecurityEvents(onError: (error: unknown) => void): SecurityEvents {
  const listeners: ((event: RevocationEvent) => void | Promise<void>)[] = [];
  return {
    on(_event, listener) {
      listeners.push(listener);
    },
    async revoked(event) {
      const results = await Promise.allSettled(listeners.map(async (listener) => listener(event)));
      for (const result of results) if (result.status === 'rejected') onError(result.reason);
    },
  };
}
