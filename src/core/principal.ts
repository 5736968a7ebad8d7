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
  /** When the account was created (epoch ms), when the resolver read the user record anyway. */
  createdAt?: number;
  credential: {
    kind: CredentialKind;
    /** Session record id, refresh family (`sid`), or OAuth grant id; never a secret. */
    id: string | null;
    /** Epoch ms after which the credential no longer holds (null: no fixed end). */
    expiresAt: number | null;
    /** When a sliding credential (a server session) ends unless it is used again (epoch ms). */
    idleExpiresAt?: number;
    /** OAuth / JWT scopes; empty for first-party cookie and session credentials. */
    scopes: string[];
    /** The OAuth client the token was issued to, when there is one. */
    clientId?: string;
    /** Cookie mode: when the sealed cookie was issued (epoch ms); names the sign-in for step-up. */
    issuedAt?: number;
  };
}

/**
 * What the guard reads off a request or a Socket.IO handshake. Realtime builds one from the handshake
 * (cookies, `auth.token` as a Bearer authorization) so sockets pass the same guard as HTTP.
 */
export interface RequestCredentials {
  method: string;
  /** Absolute URL of the request (for DPoP `htu`). */
  url: string;
  /** Parsed cookies, by name. */
  cookies: Record<string, string | undefined>;
  /** The Authorization header as sent, if any. */
  authorization?: string | undefined;
  /** Lower-case header names; for DPoP and similar proofs. */
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  /**
   * A check made by the server itself (a socket looking its session up at the idle end), not a use by
   * the client: it must not slide a session's idle expiry.
   */
  passive?: boolean;
}

/** Turns one kind of credential into a principal; the guard in http/ tries each registered resolver. */
export interface CredentialResolver {
  kind: CredentialKind;
  /**
   * null when the request carries no credential of this kind; throws a GatehouseError (401/403 code)
   * when it carries one that is invalid, expired or revoked.
   */
  resolve(request: RequestCredentials): Promise<Principal | null>;
}

/** Authenticates a request or handshake with whatever credential it carries (null: none). */
export type Authenticate = (request: RequestCredentials) => Promise<Principal | null>;
