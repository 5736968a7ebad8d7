/** OpenID Connect scopes (the ID token and userinfo) and what each lets a client read. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Scopes of gatehouse's own API (the resource server); access tokens for them are `at+jwt`. */
export const API_SCOPES = ['profile:read', 'messages:read', 'messages:write'] as const;

export const ALL_SCOPES: readonly string[] = [...OIDC_SCOPES, ...API_SCOPES];

/** What the consent page says each scope shares, in the words a user decides on. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are on gatehouse (your account id)',
  profile: 'Your name',
  email: 'Your email address',
  offline_access: 'Keep access while you are away (a refresh token)',
  'profile:read': 'Read your gatehouse profile through the API',
  'messages:read': 'Read your chat messages through the API',
  'messages:write': 'Send chat messages as you',
};

/** Claims each OIDC scope releases (ID token / userinfo). */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  profile: ['name', 'updated_at'],
  email: ['email', 'email_verified'],
};
