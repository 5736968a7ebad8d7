import type { AdapterPayload } from 'oidc-provider';

/**
 * Which oidc-provider models live where. Durable ones (a client, a user's grant, a refresh token that
 * must survive weeks and restarts) always go to SQL; the short-lived ones — minutes to a login's length —
 * go to Redis when there is one, because they are written and read on every authorization request.
 */
export const DURABLE_MODELS: ReadonlySet<string> = new Set([
  'Client',
  'Grant',
  'RefreshToken',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

/** Models oidc-provider revokes by grant id (helpers/revoke.js): each gets a grant index. */
export const GRANTABLE_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export function isDurableModel(model: string): boolean {
  return DURABLE_MODELS.has(model);
}

/** The secondary-index fields of a payload; undefined when absent or not a string. */
export function indexFields(model: string, payload: AdapterPayload): {
  grantId: string | null;
  accountId: string | null;
  uid: string | null;
  userCode: string | null;
} {
  const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
  return {
    grantId: GRANTABLE_MODELS.has(model) ? str(payload.grantId) : null,
    accountId: model === 'Grant' ? str(payload.accountId) : null,
    uid: model === 'Session' ? str(payload.uid) : null,
    userCode: str(payload.userCode),
  };
}
