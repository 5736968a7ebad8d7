export interface SessionTables {
  /** Server-side sessions, keyed by SHA-256 of the cookie token: the token itself is never stored. */
  sessions: {
    token_hash: string;
    /** Public record id (uuid) shown in session lists; never the token. */
    id: string;
    user_id: string;
    created_at: number;
    last_seen_at: number;
    idle_expires_at: number;
    absolute_expires_at: number;
    ip: string | null;
    user_agent: string | null;
  };
}
