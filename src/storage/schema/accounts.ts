export interface AccountTables {
  /** Single-use account links; only the SHA-256 of the token is kept. */
  account_tokens: {
    token_hash: string;
    /** `verify-email` | `change-email` | `reset-password`. */
    purpose: string;
    user_id: string;
    /** The address the link was sent to (for `change-email`, the new address). */
    email: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  /** Mail kept in the store when no SMTP server is configured; admins read it. */
  mail_outbox: {
    id: string;
    created_at: number;
    to_address: string;
    subject: string;
    kind: string;
    text_body: string;
    html_body: string;
  };
}
