import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../../core/index.js';
import type { User } from '../../identity/index.js';
import { pageLang } from '../interactions/locale.js';
import { renderErrorPage, renderLogoutPage, renderLogoutSuccessPage } from '../interactions/pages.js';
import { CLIENT_AUTH_METHODS } from '../clients/clients.js';
import { clientWebOrigins } from '../clients/web-origins.js';
import type { DefaultApiResource } from './default-resource.js';
import { deviceFlowFeature } from './device-verification.js';
import { API_SCOPES, ALL_SCOPES, SCOPE_CLAIMS } from './scopes.js';
import { ACR_VALUES } from './acr.js';
import { withCreatePrompt } from './interaction-policy.js';
import { isSessionLookup, sessionStillValid, type ProviderSessionVersions } from './session-credentials.js';

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
  /** The API as the default resource of API scopes, for clients that send no `resource`. */
  apiDefaults: DefaultApiResource;
  /** Absolute URL of the web app's device page (the verification URI devices show). */
  devicePage: string;
}

type SigningAlg = 'EdDSA' | 'ES256' | 'RS256';

/** ID token algorithms a client may register (`id_token_signed_response_alg`); RS256 is the default. */
export const ID_TOKEN_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;

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
    // web_origins: where a client's browser app runs, beyond its redirect URIs' origins (CORS).
    extraClientMetadata: { properties: ['gh_created_at', 'web_origins'] },
    // What can be registered (CLI --auth-method, DCR) is exactly what discovery advertises.
    clientAuthMethods: [...CLIENT_AUTH_METHODS, 'none'],
    // Browser apps (public clients) and userinfo callers from their clients' web origins; a confidential
    // client's secret never belongs in a browser, so its endpoints stay closed to CORS.
    clientBasedCORS: (ctx, origin, client) =>
      origin !== 'null' && (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') && clientWebOrigins(client.metadata()).includes(origin),
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      // OIDC Core §15.1: RS256 is what an RP that registered no algorithm expects; ES256 / EdDSA per client.
      id_token_signed_response_alg: 'RS256',
    },
    enabledJWA: {
      // Exactly the lanes the keystore holds a key for.
      idTokenSigningAlgValues: [...ID_TOKEN_ALGS],
      userinfoSigningAlgValues: [...ID_TOKEN_ALGS],
    },
    // RFC 9700 §2.1.1: code only; `id_token` / `code id_token` would bring the implicit risks back.
    responseTypes: ['code'],
    // RFC 9700 §2.1.1 recommends PKCE for every client, confidential ones too; oidc-provider only speaks S256.
    pkce: { required: () => true },
    scopes: [...ALL_SCOPES],
    // acr and amr ride with `openid`: every ID token says how its sign-in was proven (RFC 8176).
    claims: { ...SCOPE_CLAIMS, openid: [...(SCOPE_CLAIMS.openid ?? []), 'acr', 'amr'], sid: null, auth_time: null, iss: null },
    // Discovery's acr_values_supported; the login interaction sets acr and amr from the factors given.
    acrValues: [...ACR_VALUES],
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
      policy: withCreatePrompt(),
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
          ctx.body = renderLogoutPage(form, pageLang(ctx));
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLogoutSuccessPage(ctx.oidc.client?.clientName ?? null, pageLang(ctx));
        },
      },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      // OIDC Back-Channel Logout 1.0: every client of the ended session with a backchannel_logout_uri
      // gets a logout token (signed like its ID tokens).
      backchannelLogout: { enabled: true },
      // RFC 8628 for CLIs and TVs: oidc-provider's endpoint and interactions, the web app's page.
      deviceFlow: deviceFlowFeature(deps.devicePage),
      // RFC 7591 / 7592, only when switched on, and then only for holders of the initial access token.
      registration: {
        enabled: config.oauth.dynamicRegistration,
        ...(config.oauth.initialAccessToken ? { initialAccessToken: config.oauth.initialAccessToken } : {}),
      },
      registrationManagement: { enabled: config.oauth.dynamicRegistration, rotateRegistrationAccessToken: true },
      resourceIndicators: {
        enabled: true,
        // API scopes without `resource` default to the API; openid-only requests keep the userinfo token.
        defaultResource: deps.apiDefaults.defaultResource as never,
        useGrantedResource: deps.apiDefaults.useGrantedResource as never,
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
    // oidc-provider refuses to fetch client URLs that resolve to special-use addresses (SSRF); a developer's
    // relying party on this machine may be let through, loopback only, when the operator says so.
    ...(config.oauth.allowLoopbackFetch ? { fetch: loopbackFetch } : {}),
    // Rotate on every use (RFC 9700 §4.14.2); oidc-provider revokes the grant when a rotated one comes back.
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: config.oauth.accessTtlSec,
      ClientCredentials: config.oauth.accessTtlSec,
      AuthorizationCode: 60,
      // RFC 8628 §3.2 leaves it to the server: ten minutes to walk to a browser and approve.
      DeviceCode: 10 * 60,
      IdToken: config.oauth.accessTtlSec,
      Interaction: 15 * 60,
      Grant: config.oauth.refreshTtlSec,
      Session: config.sessions.absoluteLifetimeSec,
      RefreshToken: (ctx: KoaContextWithOIDC) =>
        ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? config.oauth.refreshTtlSec,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error, out.error_description, pageLang(ctx));
    },
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const loopbackFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : input;
  if (!init || !LOOPBACK_HOSTS.has(new URL(url).hostname)) return fetch(input, init);
  const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
  return fetch(input, rest);
};
