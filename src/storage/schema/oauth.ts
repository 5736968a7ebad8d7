export interface OauthTables {
  /**
   * Every oidc-provider model stored in SQL (Client, Grant, RefreshToken, … and, without Redis, the
   * short-lived ones too): one row per (model, id), the payload as JSON text. The lookup columns are
   * copies of payload fields oidc-provider searches by.
   */
  oauth_models: {
    model: string;
    id: string;
    payload: string;
    grant_id: string | null;
    /** Grant rows only: the user, so "my grants" is an index scan. */
    account_id: string | null;
    uid: string | null;
    user_code: string | null;
    /** Epoch ms, or null for no expiry. */
    expires_at: number | null;
    /** Epoch seconds at which oidc-provider consumed the artefact (codes, rotated refresh tokens). */
    consumed_at: number | null;
  };
}
