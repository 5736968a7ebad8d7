export const oauthErrors = {
  GH_OAUTH_GRANT_NOT_FOUND: { status: 404, message: 'No such grant.' },
  GH_OAUTH_CLIENT_INVALID: { status: 400, message: 'The client registration is not valid.' },
  GH_OAUTH_CLIENT_NOT_FOUND: { status: 404, message: 'No such OAuth client.' },
  GH_OAUTH_PROVIDER_UNKNOWN: { status: 404, message: 'No such sign-in provider.' },
  GH_OAUTH_FEDERATION_FAILED: { status: 400, message: 'Signing in with the provider failed.' },
  GH_OAUTH_FEDERATION_STATE: { status: 400, message: 'The sign-in attempt is unknown, expired or was already used.' },
  GH_OAUTH_LINK_REQUIRED: { status: 409, message: 'An account with this email exists; sign in to it and link the provider from your account.' },
  GH_OAUTH_LINK_NOT_FOUND: { status: 404, message: 'No such linked provider.' },
  GH_OAUTH_LINK_TAKEN: { status: 409, message: 'This provider account is already linked to another gatehouse account.' },
  GH_OAUTH_INTERACTION_INVALID: { status: 400, message: 'The sign-in step is not valid or has expired; start again from the application.' },
  GH_OAUTH_TOKEN_NO_USER: { status: 403, message: 'This access token does not act for a user.' },
  GH_OAUTH_DPOP_INVALID: { status: 401, message: 'The DPoP proof is missing or not valid.' },
} as const;
