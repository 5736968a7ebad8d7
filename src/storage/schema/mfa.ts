export interface MfaTables {
  /** One authenticator app per user; `confirmed_at` null while the enrolment awaits its first code. */
  mfa_totp: {
    user_id: string;
    /** Base32 shared secret (RFC 6238). */
    secret: string;
    created_at: number;
    confirmed_at: number | null;
    /** Time-step of the last accepted code; codes of this step or older are refused (no replay). */
    last_step: number | null;
  };
  /** Single-use recovery codes; only the SHA-256 of each is kept. */
  mfa_recovery_codes: {
    user_id: string;
    code_hash: string;
    created_at: number;
    used_at: number | null;
  };
  /** WebAuthn credentials; `id` is the credential id (base64url). */
  mfa_passkeys: {
    id: string;
    user_id: string;
    /** The user's label for it ("work laptop"). */
    name: string;
    /** COSE public key, base64url. */
    public_key: string;
    /** Signature counter: must grow with every assertion (0 for authenticators that keep none). */
    counter: number;
    /** JSON array of transports the authenticator reported. */
    transports: string;
    /** 1: a synced (multi-device) passkey; 0: bound to one authenticator. */
    backed_up: number;
    created_at: number;
    last_used_at: number | null;
  };
}
