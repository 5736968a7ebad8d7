/** Where the upstream provider must send the browser back: register exactly this URL there. */
export function callbackUrlFor(origin: string, providerId: string): string {
  return `${origin}/api/auth/federation/${encodeURIComponent(providerId)}/callback`;
}

/**
 * The web app's page for a sign-in that did not complete (`web/src/pages/federation-problem.tsx`): it
 * explains the code in the user's language — for GH_OAUTH_LINK_REQUIRED, that an account exists and how
 * to sign in and link. Only the code and the provider id travel; nothing the provider said does.
 */
export function problemPagePath(code: string, providerId: string): string {
  return `/federation/problem?${new URLSearchParams({ code, provider: providerId }).toString()}`;
}
