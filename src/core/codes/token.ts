export const tokenErrors = {
  GH_TOKEN_MALFORMED: { status: 401, message: 'The token is malformed.' },
  GH_TOKEN_INVALID: { status: 401, message: 'The token is not valid.' },
  GH_TOKEN_EXPIRED: { status: 401, message: 'The token has expired.' },
  GH_TOKEN_NOT_YET_VALID: { status: 401, message: 'The token is not valid yet.' },
  GH_TOKEN_REVOKED: { status: 401, message: 'The token has been revoked.' },
  GH_TOKEN_INSUFFICIENT_SCOPE: { status: 403, message: 'The token does not grant the scope this needs.' },
  GH_TOKEN_REFRESH_INVALID: { status: 401, message: 'The refresh token is not valid.' },
  GH_TOKEN_REFRESH_REUSED: { status: 401, message: 'The refresh token was already used; its sign-in has been ended.' },
  GH_TOKEN_KEY_UNKNOWN: { status: 401, message: 'The token was signed by an unknown key.' },
  GH_TOKEN_REFRESH_MISSING: { status: 401, message: 'A refresh token is required.' },
  GH_TOKEN_REFRESH_EXPIRED: { status: 401, message: 'The sign-in has expired; sign in again.' },
  GH_TOKEN_KEYSTORE_UNREADABLE: { status: 500, message: 'The signing keys cannot be read with this instance secret.' },
} as const;
