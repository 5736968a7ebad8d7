/** Tables of src/tokens/: the signing keystore and refresh-token families (migration 0300-tokens). */
export interface TokenTables {
  token_keys: {
    /** RFC 7638 thumbprint of the public key. */
    kid: string;
    alg: string;
    /** 'next' | 'current' | 'previous' | 'retired' */
    state: string;
    /** Public JWK as JSON text. */
    public_jwk: string;
    /** Private JWK as a compact JWE (dir / A256GCM) under a key derived from the instance secret; null once retired. */
    private_jwe: string | null;
    created_at: number;
    /** Epoch ms it started signing (null while 'next'). */
    activated_at: number | null;
    /** Epoch ms it stopped signing (null until it is 'previous'). */
    deactivated_at: number | null;
    /** Epoch ms after which no token it signed can still verify: it leaves the JWKS then. */
    retire_at: number | null;
  };
  refresh_families: {
    /** Also the access tokens' `sid` claim. */
    id: string;
    user_id: string;
    scope: string;
    ip: string | null;
    user_agent: string | null;
    created_at: number;
    last_used_at: number;
    idle_expires_at: number;
    absolute_expires_at: number;
    revoked_at: number | null;
    revoke_reason: string | null;
  };
  refresh_tokens: {
    /** sha256 of the token: the token itself is never stored. */
    hash: string;
    family_id: string;
    /** Random salt from which the successor is derived (HMAC(token, salt)), so a retry gets the same one. */
    salt: string;
    created_at: number;
    used_at: number | null;
    successor_hash: string | null;
  };
}
