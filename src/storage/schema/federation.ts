export interface FederationTables {
  /** Sign-in providers gatehouse is a client of (Google, Kakao, Naver, GitHub, any OIDC issuer). */
  federation_providers: {
    /** Slug used in URLs: /api/auth/federation/<id>/start. */
    id: string;
    display_name: string;
    /** google | kakao | naver | github | oidc */
    kind: string;
    /** OIDC issuer (discovery) for OIDC kinds; null for plain OAuth 2.0 presets. */
    issuer: string | null;
    client_id: string;
    /** AES-256-GCM under a key derived from the instance secret; null for public clients. */
    client_secret_sealed: string | null;
    scope: string;
    created_at: number;
    /** 1 when the operator trusts this provider's verified-email claims (see federation/accounts.ts). */
    trust_email: number;
  };
  /** An external account linked to a gatehouse user; (provider, subject) is unique. */
  federation_links: {
    id: string;
    user_id: string;
    provider: string;
    subject: string;
    email: string | null;
    email_verified: number;
    created_at: number;
    last_login_at: number | null;
  };
}
