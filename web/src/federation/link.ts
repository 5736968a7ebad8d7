import { api, type ApiResult } from '../api/client.js';
import type { LinkStart } from '../api/types.js';

/**
 * Links a provider to the signed-in account: a JSON POST (so no other site can start it), then the
 * browser goes to the provider and comes back to `returnTo`. Resolves only when the node refused.
 */
export async function startLink(providerId: string, returnTo = '/account'): Promise<ApiResult<LinkStart>> {
  const result = await api<LinkStart>('POST', `/api/auth/federation/${encodeURIComponent(providerId)}/link`, { returnTo });
  if (result.ok && result.data) location.assign(result.data.authorizationUrl);
  return result;
}
