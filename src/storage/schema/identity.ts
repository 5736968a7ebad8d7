export interface IdentityTables {
  users: {
    id: string;
    /** Normalised (trimmed, lower-case); unique. */
    email: string;
    name: string | null;
    /** argon2id PHC string. */
    password_hash: string;
    /** JSON array of role names. */
    roles: string;
    /** Bumped by a password change or "log out everywhere": sealed cookies carrying an older one die. */
    credential_version: number;
    created_at: number;
    updated_at: number;
    /** Epoch ms when the email address was proven; null while unverified. */
    email_verified_at: number | null;
    /** How it was proven: `email-link`, `admin`, or `provider:<name>`. */
    email_verified_via: string | null;
    /** Epoch ms when an operator disabled the account; null while enabled. */
    disabled_at: number | null;
  };
  /** Security events; the schema is documented in docs/audit-events.md. */
  audit_events: {
    id: string;
    /** Epoch ms. */
    at: number;
    type: string;
    user_id: string | null;
    ip: string | null;
    user_agent: string | null;
    /** JSON object. */
    data: string;
  };
}
