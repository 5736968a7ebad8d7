/** The kinds of sign-in provider gatehouse knows. `oidc` is any OpenID Connect issuer by URL. */
export type ProviderKind = 'google' | 'kakao' | 'naver' | 'github' | 'oidc';

export interface Preset {
  displayName: string;
  /** OpenID Connect: discovered from the issuer, ID token checked (iss, aud, nonce). */
  oidc: boolean;
  issuer?: string;
  /** Plain OAuth 2.0 endpoints (no discovery, no ID token). */
  endpoints?: { authorization: string; token: string; userinfo: string };
  scope: string;
}

/**
 * Presets for the providers the issue names. Google and Kakao speak OpenID Connect; Naver and GitHub
 * are plain OAuth 2.0, so who the user is comes from their profile APIs instead of an ID token.
 */
export const PRESETS: Record<Exclude<ProviderKind, 'oidc'>, Preset> = {
  google: { displayName: 'Google', oidc: true, issuer: 'https://accounts.google.com', scope: 'openid email profile' },
  kakao: { displayName: 'Kakao', oidc: true, issuer: 'https://kauth.kakao.com', scope: 'openid account_email profile_nickname' },
  naver: {
    displayName: 'Naver',
    oidc: false,
    endpoints: {
      authorization: 'https://nid.naver.com/oauth2.0/authorize',
      token: 'https://nid.naver.com/oauth2.0/token',
      userinfo: 'https://openapi.naver.com/v1/nid/me',
    },
    scope: '',
  },
  github: {
    displayName: 'GitHub',
    oidc: false,
    endpoints: {
      authorization: 'https://github.com/login/oauth/authorize',
      token: 'https://github.com/login/oauth/access_token',
      userinfo: 'https://api.github.com/user',
    },
    scope: 'read:user user:email',
  },
};

export function isProviderKind(value: unknown): value is ProviderKind {
  return value === 'oidc' || (typeof value === 'string' && Object.hasOwn(PRESETS, value));
}
