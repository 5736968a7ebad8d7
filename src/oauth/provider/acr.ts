/** Authentication context classes gatehouse asserts in ID tokens (`acr`), weakest first. */
export const ACR_PASSWORD = 'urn:gatehouse:acr:pwd';
export const ACR_MFA = 'urn:gatehouse:acr:mfa';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

/** The reason the login prompt carries when the client asked for MFA and the session lacks it. */
export const MFA_REQUESTED = 'mfa_requested';

/** The class an authentication's methods (RFC 8176 `amr`) amount to. */
export function acrFor(amr: readonly string[]): string {
  return amr.some((m) => m !== 'pwd') ? ACR_MFA : ACR_PASSWORD;
}

/** True when the authorization request's `acr_values` (or an essential `acr` claim) asks for MFA. */
export function mfaRequested(params: Record<string, unknown>): boolean {
  const values = typeof params.acr_values === 'string' ? params.acr_values.split(' ') : [];
  if (values.includes(ACR_MFA)) return true;
  try {
    const claims = typeof params.claims === 'string' ? (JSON.parse(params.claims) as { id_token?: { acr?: { value?: string; values?: string[] } } }) : null;
    const acr = claims?.id_token?.acr;
    return acr?.value === ACR_MFA || (acr?.values ?? []).includes(ACR_MFA);
  } catch {
    return false;
  }
}
