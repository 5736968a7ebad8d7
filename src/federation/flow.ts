import * as client from 'openid-client';
import { GatehouseError, isGatehouseError, sameOriginPath, type Clock, type IdSource } from '../core/index.js';
import type { KeyValueStore } from '../storage/index.js';
import type { ExternalIdentity } from './accounts.js';
import { PRESETS } from './providers/presets.js';
import type { ProviderRecord, ProviderRegistry } from './providers/registry.js';

const PENDING_TTL_MS = 10 * 60 * 1000;
const DISCOVERY_CACHE_MS = 10 * 60 * 1000;

export interface StartResult {
  /** Where to send the browser. */
  authorizationUrl: string;
  /** Bind it to the browser (an HttpOnly cookie), so a callback from another browser is refused. */
  state: string;
}

/** The signed-in user who asked to link, and the credential version their account had then. */
export interface LinkRequest {
  userId: string;
  credentialVersion: number;
}

export interface CallbackResult {
  external: ExternalIdentity;
  /** Set when this was a link request made while signed in. */
  link: LinkRequest | null;
  /** The operator trusts this provider's verified-email claims. */
  trustEmail: boolean;
  returnTo: string;
}

export interface FederationFlow {
  start(input: { providerId: string; redirectUri: string; returnTo?: string; link?: LinkRequest | null }): Promise<StartResult>;
  /** `currentUrl`: the full callback URL; `boundState`: the state cookie the browser sent back. */
  callback(input: { providerId: string; currentUrl: URL; boundState: string | undefined }): Promise<CallbackResult>;
}

interface Pending {
  provider: string;
  verifier: string;
  nonce: string | null;
  redirectUri: string;
  returnTo: string;
  link: LinkRequest | null;
}

/**
 * Gatehouse as the client of another provider (openid-client): PKCE S256, `state` bound to the browser
 * and used once, `nonce` for OIDC, the authorization response's `iss` checked against the provider the
 * flow started with (RFC 9207, the mix-up defence), and a callback URL per provider.
 */
export function createFederationFlow(deps: {
  registry: ProviderRegistry;
  kv: KeyValueStore;
  clock: Clock;
  ids: IdSource;
  /** openid-client's fetch; tests and loopback issuers. */
  allowInsecureLoopback?: boolean;
}): FederationFlow {
  const configs = new Map<string, { at: number; config: client.Configuration; oidc: boolean; userinfo?: string }>();

  /** The provider's configuration; unreachable or malformed discovery is GH_OAUTH_FEDERATION_FAILED with its cause. */
  async function configFor(provider: ProviderRecord) {
    try {
      return await discover(provider);
    } catch (cause) {
      if (isGatehouseError(cause)) throw cause;
      throw new GatehouseError('GH_OAUTH_FEDERATION_FAILED', { message: 'The provider could not be reached, or its metadata is not valid.', cause });
    }
  }

  async function discover(provider: ProviderRecord) {
    const cached = configs.get(provider.id);
    if (cached && deps.clock.now() - cached.at < DISCOVERY_CACHE_MS) return cached;
    const auth = provider.clientSecret ? client.ClientSecretBasic(provider.clientSecret) : client.None();
    let entry;
    if (provider.kind === 'oidc' || provider.kind === 'google' || provider.kind === 'kakao') {
      const issuer = new URL(provider.issuer!);
      const insecure = deps.allowInsecureLoopback && issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      const config = await client.discovery(issuer, provider.clientId, undefined, auth, insecure ? { execute: [client.allowInsecureRequests] } : undefined);
      entry = { at: deps.clock.now(), config, oidc: true };
    } else {
      const endpoints = PRESETS[provider.kind].endpoints!;
      const config = new client.Configuration(
        { issuer: new URL(endpoints.authorization).origin, authorization_endpoint: endpoints.authorization, token_endpoint: endpoints.token },
        provider.clientId,
        undefined,
        auth,
      );
      entry = { at: deps.clock.now(), config, oidc: false, userinfo: endpoints.userinfo };
    }
    configs.set(provider.id, entry);
    return entry;
  }

  async function providerOrThrow(id: string): Promise<ProviderRecord> {
    const provider = await deps.registry.get(id);
    if (!provider) throw new GatehouseError('GH_OAUTH_PROVIDER_UNKNOWN');
    return provider;
  }

  return {
    async start(input) {
      const provider = await providerOrThrow(input.providerId);
      const { config, oidc } = await configFor(provider);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = oidc ? client.randomNonce() : null;
      const pending: Pending = {
        provider: provider.id,
        verifier,
        nonce,
        redirectUri: input.redirectUri,
        returnTo: safeReturnTo(input.returnTo),
        link: input.link ?? null,
      };
      await deps.kv.set(`fed:pending:${state}`, JSON.stringify(pending), PENDING_TTL_MS);
      const params: Record<string, string> = {
        redirect_uri: input.redirectUri,
        scope: provider.scope,
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      };
      if (nonce) params.nonce = nonce;
      if (!params.scope) delete params.scope;
      return { authorizationUrl: client.buildAuthorizationUrl(config, params).href, state };
    },

    async callback(input) {
      const state = input.currentUrl.searchParams.get('state');
      if (!state || !input.boundState || state !== input.boundState) throw new GatehouseError('GH_OAUTH_FEDERATION_STATE');
      // One use only, on every node: the first callback to claim the state wins.
      if (!(await deps.kv.setIfAbsent(`fed:used:${state}`, '1', PENDING_TTL_MS))) throw new GatehouseError('GH_OAUTH_FEDERATION_STATE');
      const raw = await deps.kv.get(`fed:pending:${state}`);
      await deps.kv.delete(`fed:pending:${state}`);
      if (!raw) throw new GatehouseError('GH_OAUTH_FEDERATION_STATE');
      const pending = JSON.parse(raw) as Pending;
      // The state names the provider the flow began with; a response arriving at another provider's
      // callback is a mix-up and is refused.
      if (pending.provider !== input.providerId) throw new GatehouseError('GH_OAUTH_FEDERATION_STATE');
      const provider = await providerOrThrow(pending.provider);
      const entry = await configFor(provider);
      const refused = input.currentUrl.searchParams.get('error');
      if (refused) {
        // The provider's own words, for the operator's log (they are not secret: they travel in the URL).
        const said = `${refused.slice(0, 100)}${input.currentUrl.searchParams.get('error_description') ? `: ${input.currentUrl.searchParams.get('error_description')!.slice(0, 300)}` : ''}`;
        throw new GatehouseError('GH_OAUTH_FEDERATION_FAILED', { message: 'The provider did not authorize the sign-in.', cause: new Error(`the provider answered error=${said}`) });
      }
      try {
        const tokens = await client.authorizationCodeGrant(entry.config, input.currentUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: state,
          ...(pending.nonce ? { expectedNonce: pending.nonce, idTokenExpected: true } : {}),
        });
        const external = entry.oidc
          ? await fromOidc(entry.config, provider.id, tokens)
          : await fromOAuthProfile(provider, entry.userinfo!, tokens.access_token);
        return { external, link: pending.link, trustEmail: provider.trustEmail, returnTo: pending.returnTo };
      } catch (cause) {
        if (isGatehouseError(cause)) throw cause;
        throw new GatehouseError('GH_OAUTH_FEDERATION_FAILED', { cause });
      }
    },
  };
}

async function fromOidc(config: client.Configuration, providerId: string, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Promise<ExternalIdentity> {
  const claims = tokens.claims();
  if (!claims) throw new GatehouseError('GH_OAUTH_FEDERATION_FAILED', { message: 'The provider returned no ID token.' });
  let email = typeof claims.email === 'string' ? claims.email : null;
  let verified = claims.email_verified === true;
  let name = typeof claims.name === 'string' ? claims.name : null;
  if (!email && config.serverMetadata().userinfo_endpoint) {
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    email = typeof info.email === 'string' ? info.email : null;
    verified = info.email_verified === true;
    name ??= typeof info.name === 'string' ? info.name : null;
  }
  return { provider: providerId, subject: claims.sub, email, emailVerified: verified, name };
}

/** Naver and GitHub have no ID token: the profile API says who the user is. */
async function fromOAuthProfile(provider: ProviderRecord, userinfo: string, accessToken: string): Promise<ExternalIdentity> {
  const get = async (url: string) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'user-agent': 'gatehouse' } });
    if (!response.ok) throw new GatehouseError('GH_OAUTH_FEDERATION_FAILED', { message: `The provider's profile API answered ${response.status}.` });
    return (await response.json()) as Record<string, unknown>;
  };
  const profile = await get(userinfo);
  if (provider.kind === 'naver') {
    const r = (profile.response ?? {}) as Record<string, unknown>;
    // Naver does not say whether the address was verified, so it is treated as unverified.
    return { provider: provider.id, subject: String(r.id ?? ''), email: typeof r.email === 'string' ? r.email : null, emailVerified: false, name: typeof r.name === 'string' ? r.name : null };
  }
  const emails = (await get('https://api.github.com/user/emails').catch(() => [])) as unknown as { email: string; primary: boolean; verified: boolean }[];
  const primary = Array.isArray(emails) ? emails.find((e) => e.primary) : undefined;
  return {
    provider: provider.id,
    subject: String(profile.id ?? ''),
    email: primary?.email ?? (typeof profile.email === 'string' ? profile.email : null),
    emailVerified: primary?.verified === true,
    name: typeof profile.name === 'string' ? profile.name : typeof profile.login === 'string' ? profile.login : null,
  };
}

/** Only a path on this site (see sameOriginPath): anything else would make the callback an open redirect. */
export function safeReturnTo(value: string | undefined): string {
  return (value && sameOriginPath(value)) || '/';
}
