/** How the request proved who it is. */
export type CredentialKind = 'cookie' | 'session' | 'jwt' | 'oauth';

/**
 * Who a request (or socket) acts for, whatever credential it carried. The one guard in http/ builds it;
 * realtime and the resource server read it.
 */
export interface Principal {
  userId: string;
  email: string;
  name: string | null;
  roles: string[];
  credential: {
    kind: CredentialKind;
    /** Session record id, refresh family (`sid`), or OAuth grant id; never a secret. */
    id: string | null;
    /** Epoch ms after which the credential no longer holds (null: no fixed end). */
    expiresAt: number | null;
    /** OAuth / JWT scopes; empty for first-party cookie and session credentials. */
    scopes: string[];
    /** The OAuth client the token was issued to, when there is one. */
    clientId?: string;
  };
}
