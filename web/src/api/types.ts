// The shapes of the API responses the pages read (see the server's /openapi.json).

export type LoginMode = 'cookie' | 'session' | 'jwt';
export type CredentialKind = LoginMode | 'oauth';

export interface User {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  createdAt: number;
}

export interface Me {
  user: User;
  credential: { kind: CredentialKind; id: string | null; expiresAt: number | null; scopes: string[]; clientId?: string };
}

export interface SessionRecord {
  id: string;
  /** A server session, or a JWT sign-in (its refresh family): both are devices. */
  kind: 'session' | 'jwt';
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface AuditEvent {
  id: string;
  at: number;
  type: string;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
}

export interface ApiError {
  error: string;
  /** In the reader's language (the client replaces the server's English with the catalogue's text). */
  message: string;
  /** A refusal's details travel beside the code: the field a schema failure is about, and a weak
   *  password's reason, estimator codes and length bounds. */
  field?: unknown;
  reason?: unknown;
  warningCode?: unknown;
  suggestionCodes?: unknown;
  minLength?: unknown;
  maxLength?: unknown;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

/** One app the user allowed (every provider grant of one OAuth client, folded together). */
export interface AppRecord {
  clientId: string;
  clientName: string | null;
  scopes: string[];
  firstGrantedAt: number;
  lastGrantedAt: number;
  grants: number;
}
