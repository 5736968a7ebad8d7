export const oauthErrors = {
  GH_OAUTH_GRANT_NOT_FOUND: { status: 404, message: 'No such grant.' },
  GH_OAUTH_CLIENT_INVALID: { status: 400, message: 'The client registration is not valid.' },
  GH_OAUTH_PROVIDER_UNKNOWN: { status: 404, message: 'No such sign-in provider.' },
  GH_OAUTH_FEDERATION_FAILED: { status: 400, message: 'Signing in with the provider failed.' },
} as const;
