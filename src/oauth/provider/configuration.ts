import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../../core/index.js';
import type { User } from '../../identity/index.js';
import { renderErrorPage, renderLogoutPage, renderLogoutSuccessPage } from '../interactions/pages.js';
import { API_SCOPES, ALL_SCOPES, SCOPE_CLAIMS } from './scopes.js';
import { interactionPolicyWithCredentialCheck, isSessionLookup, sessionStillValid, type ProviderSessionVersions } from './session-credentials.js';

export interface ConfigurationDeps {
  config: Config;
  /** The API resource indicator and access-token audience, e.g. https://auth.example/api. */
  apiResource: string;
  /** Private JWKs from the one keystore, current key first. */
  jwks: Configuration['jwks'];
  /** JWS alg of that key (config.tokens.algorithm). */
  alg: string;
  /** Signs oidc-provider's cookies; derived from the instance secret. */
  cookieKeys: string[];
  /** undefined: oidc-provider's in-memory adapter (only the benchmark's ceiling uses that). */
  adapter: Configuration['adapter'];
  getUser(id: string): Promise<User | null>;
  /** The credential version each provider session's login was proven under. */
  sessionVersions: ProviderSessionVersions;
}

type SigningAlg = 'EdDSA' | 'ES256' | 'RS256';

/**
 * oidc-provider's configuration for gatehouse. Every choice here is one of the points: code flow
 * only (no implicit, no password grant), PKCE S256 for every client, refresh tokens rotated on each use,
 * resource indicators whose access tokens are `at+jwt` signed by the one keystore.
 */
export function buildConfiguration(deps: ConfigurationDeps): Configuration {
  const { config, apiResource } = deps;
  const alg = deps.alg as SigningAlg;
  return {
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    jwks: deps.jwks,
    // Clients live in the adapter (created by `gatehouse client create` or the admin API).
    clients: [],
    // Creation time shown by the admin API; oidc-provider keeps it as extra client metadata.
    extraClientMetadata: { properties: ['gh_created_at'] },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: alg,
    },
    // RFC 9700 §2.1.1: code only; `id_token` / `code id_token` would bring the implicit risks back.
    responseTypes: ['code'],
    // RFC 9700 §2.1.1 recommends PKCE for every client, confidential ones too; oidc-provider only speaks S256.
    pkce: { required: () => true },
    scopes: [...ALL_SCOPES],
    claims: { ...SCOPE_CLAIMS, acr: null, sid: null, auth_time: null, iss: null },
    conformIdTokenClaims: true,
    findAccount: async (ctx, sub, token) => {
      const user = await deps.getUser(sub);
      // A disabled account is no account to the provider: no new codes or tokens from its session.
      if (!user || user.disabledAt != null) return undefined;
      // A browser session that began before the user ended their credentials no longer names anyone:
      // the login prompt comes back (see the policy below) instead of a code minted without a password.
      if (isSessionLookup(ctx, sub, token) && !(await sessionStillValid(ctx, user, deps.sessionVersions))) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({
          sub: user.id,
          email: user.email,
          // Claimed only when the account proved the address (a mailed link, an operator, a trusted provider).
          email_verified: user.emailVerifiedAt != null,
          name: user.name ?? undefined,
          updated_at: Math.floor(user.updatedAt / 1000),
        }),
      };
    },
    cookies: {
      keys: deps.cookieKeys,
      names: { session: 'gh.op.session', interaction: 'gh.op.interaction', resume: 'gh.op.resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    interactions: {
      url: (_ctx, interaction) => `/oidc/interaction/${interaction.uid}`,
      policy: interactionPolicyWithCredentialCheck(),
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A public client may only introspect its own tokens; confidential ones (resource servers) any.
        allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLogoutSuccessPage(ctx.oidc.client?.clientName ?? null);
        },
      },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      registration: { enabled: config.oauth.dynamicRegistration },
      resourceIndicators: {
        enabled: true,
        // Without a resource the token is the opaque one for userinfo; API tokens are asked for by name.
        defaultResource: async (_ctx, _client, oneOf) => oneOf?.[0] ?? undefined,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== apiResource) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPES.join(' '),
            audience: apiResource,
            accessTokenTTL: config.oauth.accessTtlSec,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg } },
          };
        },
      },
    },
    formats: {
      customizers: {
        // The grant id lets the resource server refuse a token the moment its grant is revoked (JWT access
        // tokens are not stored, so revocation cannot reach them any other way).
        jwt: async (_ctx, token, jwt) => {
          const grantId = (token as { grantId?: string }).grantId;
          if (grantId) jwt.payload.grant_id = grantId;
        },
      },
    },
    // Rotate on every use (RFC 9700 §4.14.2); oidc-provider revokes the grant when a rotated one comes back.
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: config.oauth.accessTtlSec,
      ClientCredentials: config.oauth.accessTtlSec,
      AuthorizationCode: 60,
      IdToken: config.oauth.accessTtlSec,
      Interaction: 15 * 60,
      Grant: config.oauth.refreshTtlSec,
      Session: config.sessions.absoluteLifetimeSec,
      RefreshToken: (ctx: KoaContextWithOIDC) =>
        ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? config.oauth.refreshTtlSec,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error, out.error_description);
    },
  };
}
