// Signing in with other providers (gatehouse as the client): what the operator configures and what
// the account-linking rule refuses. The older federation codes keep their GH_OAUTH_ names in oauth.ts.
export const federationErrors = {
  GH_FEDERATION_PROVIDER_DECLARED: {
    status: 409,
    message: 'This sign-in provider is declared in the configuration (file or environment); change it there.',
  },
  GH_FEDERATION_ACCOUNT_DISABLED: { status: 403, message: 'This account is disabled; it cannot be signed in to.' },
  GH_FEDERATION_LINK_SESSION: { status: 401, message: 'Linking needs you signed in to the account, in this browser, until the provider sends you back.' },
} as const;
