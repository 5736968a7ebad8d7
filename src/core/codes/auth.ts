// Identity, login, cookies, CSRF and the guard.
export const authErrors = {
  GH_AUTH_INVALID_CREDENTIALS: { status: 401, message: 'The email or password is incorrect.' },
  GH_AUTH_UNAUTHENTICATED: { status: 401, message: 'Authentication is required.' },
  GH_AUTH_FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  GH_AUTH_EMAIL_TAKEN: { status: 409, message: 'An account with this email cannot be created.' },
  GH_AUTH_PASSWORD_TOO_SHORT: { status: 400, message: 'The password must be at least 8 characters long.' },
  GH_AUTH_PASSWORD_TOO_LONG: { status: 400, message: 'The password is too long.' },
  GH_AUTH_PASSWORD_COMMON: { status: 400, message: 'This password is too common; choose another.' },
  GH_AUTH_THROTTLED: { status: 429, message: 'Too many failed attempts; retry later.' },
  GH_AUTH_CSRF: { status: 403, message: 'Cross-site request refused.' },
  GH_AUTH_COOKIE_INVALID: { status: 401, message: 'The authentication cookie is not valid.' },
  GH_AUTH_COOKIE_EXPIRED: { status: 401, message: 'The authentication cookie has expired.' },
  GH_AUTH_CREDENTIAL_REVOKED: { status: 401, message: 'This credential has been revoked.' },
} as const;
