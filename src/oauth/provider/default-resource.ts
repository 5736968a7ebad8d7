import type { KoaContextWithOIDC } from 'oidc-provider';
import type { KeyValueStore } from '../../storage/index.js';
import { API_SCOPES } from './scopes.js';

/**
 * The default resource indicator for API scopes. A generic relying party asks for `openid profile:read`
 * and never sends RFC 8707 `resource`; it still expects the access token to work at the API. Such a
 * request gets gatehouse's API as its resource, and the grant remembers that the resource was defaulted,
 * so the code exchange and refreshes (which name no resource either) issue the API's `at+jwt`.
 * A client that names `resource` itself keeps RFC 8707's behaviour: without `resource` at the token
 * endpoint it gets the opaque userinfo token, and the API token when it asks for the resource.
 */
export interface DefaultApiResource {
  defaultResource(ctx: KoaContextWithOIDC, client: unknown, oneOf?: string[]): Promise<string | string[] | undefined>;
  useGrantedResource(ctx: KoaContextWithOIDC, model: { grantId?: string }): Promise<boolean>;
  /** After consent: remembers whether the request this grant came from had its resource defaulted. */
  rememberGrant(grantId: string, params: Record<string, unknown>): Promise<void>;
}

export function createDefaultApiResource(deps: { apiResource: string; kv: KeyValueStore | null; grantTtlMs: number }): DefaultApiResource {
  const key = (grantId: string) => `oauth:api-default:${grantId}`;
  return {
    async defaultResource(ctx, _client, oneOf) {
      if (oneOf) return oneOf.includes(deps.apiResource) ? deps.apiResource : oneOf[0];
      const scope = ctx.oidc.params?.scope;
      const scopes = typeof scope === 'string' ? scope.split(' ') : [];
      if (!scopes.some((s) => (API_SCOPES as readonly string[]).includes(s))) return undefined;
      // An array (of one) where a client-sent single resource is a string: that is how the consent step
      // tells a defaulted resource from a requested one (the provider stores the params as they are now).
      return [deps.apiResource];
    },
    async useGrantedResource(_ctx, model) {
      return Boolean(deps.kv && model.grantId && (await deps.kv.get(key(model.grantId))) !== null);
    },
    async rememberGrant(grantId, params) {
      if (!deps.kv) return;
      if (Array.isArray(params.resource)) await deps.kv.set(key(grantId), '1', deps.grantTtlMs);
      else if (params.resource !== undefined) await deps.kv.delete(key(grantId));
    },
  };
}
