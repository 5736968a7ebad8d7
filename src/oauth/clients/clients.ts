import type { Kysely } from 'kysely';
import { GatehouseError, type Clock, type IdSource } from '../../core/index.js';
import type { Database } from '../../storage/index.js';
import { ALL_SCOPES } from '../provider/scopes.js';

export type ClientType = 'public' | 'confidential';

/** How a confidential client proves itself at the token endpoint (public clients: 'none'). */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** ID token algorithms a client may choose; RS256 when it says nothing (OIDC Core §15.1). */
export const CLIENT_ID_TOKEN_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type ClientIdTokenAlg = (typeof CLIENT_ID_TOKEN_ALGS)[number];

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface ClientInput {
  name: string;
  redirectUris: string[];
  type: ClientType;
  /** Scopes the client may ask for; default: every scope gatehouse knows. */
  scopes?: string[];
  postLogoutRedirectUris?: string[];
  /** Confidential clients only; default client_secret_basic. private_key_jwt needs jwksUri. */
  authMethod?: ClientAuthMethod;
  /** Where a private_key_jwt client publishes its keys. */
  jwksUri?: string;
  /** id_token_signed_response_alg; default RS256. */
  idTokenAlg?: ClientIdTokenAlg;
  /** OIDC Back-Channel Logout 1.0: where gatehouse POSTs a logout token when the user's session ends. */
  backchannelLogoutUri?: string;
  /** Origins of the client's browser app beyond its redirect URIs' (CORS at the resource server). */
  webOrigins?: string[];
  /** Allow the device authorization grant (RFC 8628): CLIs and TVs; such a client needs no redirect URI. */
  device?: boolean;
}

/** A client as the admin API and the CLI show it; `client_secret` only on creation. */
export interface ClientView {
  client_id: string;
  client_name: string;
  client_type: ClientType;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg: string;
  jwks_uri?: string;
  backchannel_logout_uri?: string;
  created_at: number;
}

export interface ClientManager {
  create(input: ClientInput): Promise<ClientView & { client_secret?: string }>;
  list(): Promise<ClientView[]>;
  get(clientId: string): Promise<ClientView | null>;
  /** Deletes the client and every grant given to it (its refresh tokens die with the grants). */
  delete(clientId: string): Promise<void>;
  /** A new client_secret for a confidential client (shown once); the old one stops working. */
  rotateSecret(clientId: string): Promise<{ client_id: string; client_secret: string }>;
}

export interface ClientManagerDeps {
  db: Kysely<Database>;
  ids: IdSource;
  clock: Clock;
  /** oidc-provider's own metadata validation, when a provider is at hand (the admin API); throws. */
  validate?: (metadata: Record<string, unknown>) => Promise<void>;
}

/**
 * OAuth clients, stored as oidc-provider `Client` artefacts in the durable SQL table so every node (and
 * the CLI, acting on the same store) sees the same registrations.
 */
export function createClientManager(deps: ClientManagerDeps): ClientManager {
  const toView = (payload: Record<string, unknown>): ClientView => ({
    client_id: String(payload.client_id),
    client_name: String(payload.client_name ?? ''),
    client_type: payload.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
    redirect_uris: (payload.redirect_uris as string[] | undefined) ?? [],
    post_logout_redirect_uris: (payload.post_logout_redirect_uris as string[] | undefined) ?? [],
    grant_types: (payload.grant_types as string[] | undefined) ?? [],
    scope: String(payload.scope ?? ''),
    token_endpoint_auth_method: String(payload.token_endpoint_auth_method ?? 'client_secret_basic'),
    id_token_signed_response_alg: String(payload.id_token_signed_response_alg ?? 'RS256'),
    ...(typeof payload.jwks_uri === 'string' ? { jwks_uri: payload.jwks_uri } : {}),
    ...(typeof payload.backchannel_logout_uri === 'string' ? { backchannel_logout_uri: payload.backchannel_logout_uri } : {}),
    created_at: Number(payload.gh_created_at ?? 0),
  });
  return {
    async create(input) {
      const metadata = clientMetadata(input, deps.ids);
      metadata.gh_created_at = deps.clock.now();
      if (deps.validate) {
        const { gh_created_at: _ignored, ...forProvider } = metadata;
        try {
          await deps.validate(forProvider);
        } catch (cause) {
          throw new GatehouseError('GH_OAUTH_CLIENT_INVALID', { message: `The client registration is not valid: ${(cause as Error).message}`, cause });
        }
      }
      await deps.db
        .insertInto('oauth_models')
        .values({ model: 'Client', id: String(metadata.client_id), payload: JSON.stringify(metadata), grant_id: null, account_id: null, uid: null, user_code: null, expires_at: null, consumed_at: null })
        .execute();
      const view = toView(metadata);
      return metadata.client_secret ? { ...view, client_secret: String(metadata.client_secret) } : view;
    },
    async list() {
      const rows = await deps.db.selectFrom('oauth_models').select('payload').where('model', '=', 'Client').execute();
      return rows.map((r) => toView(JSON.parse(r.payload) as Record<string, unknown>)).sort((a, b) => a.created_at - b.created_at);
    },
    async get(clientId) {
      const row = await deps.db.selectFrom('oauth_models').select('payload').where('model', '=', 'Client').where('id', '=', clientId).executeTakeFirst();
      return row ? toView(JSON.parse(row.payload) as Record<string, unknown>) : null;
    },
    async rotateSecret(clientId) {
      const row = await deps.db.selectFrom('oauth_models').select('payload').where('model', '=', 'Client').where('id', '=', clientId).executeTakeFirst();
      if (!row) throw new GatehouseError('GH_OAUTH_CLIENT_NOT_FOUND');
      const payload = JSON.parse(row.payload) as Record<string, unknown>;
      if (payload.token_endpoint_auth_method === 'none') throw new GatehouseError('GH_OAUTH_CLIENT_INVALID', { message: 'A public client has no secret to rotate.' });
      const secret = deps.ids.token(32);
      payload.client_secret = secret;
      await deps.db.updateTable('oauth_models').set({ payload: JSON.stringify(payload) }).where('model', '=', 'Client').where('id', '=', clientId).execute();
      return { client_id: clientId, client_secret: secret };
    },
    async delete(clientId) {
      const deleted = await deps.db.deleteFrom('oauth_models').where('model', '=', 'Client').where('id', '=', clientId).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw new GatehouseError('GH_OAUTH_CLIENT_NOT_FOUND');
      const grants = await deps.db.selectFrom('oauth_models').select(['id', 'payload']).where('model', '=', 'Grant').execute();
      const ids = grants.filter((g) => (JSON.parse(g.payload) as { clientId?: string }).clientId === clientId).map((g) => g.id);
      if (ids.length) {
        await deps.db.deleteFrom('oauth_models').where('grant_id', 'in', ids).execute();
        await deps.db.deleteFrom('oauth_models').where('model', '=', 'Grant').where('id', 'in', ids).execute();
      }
    },
  };
}

/** Turns the CLI / admin input into oidc-provider client metadata, refusing what RFC 9700 forbids. */
export function clientMetadata(input: ClientInput, ids: IdSource): Record<string, unknown> {
  const invalid = (message: string) => new GatehouseError('GH_OAUTH_CLIENT_INVALID', { message: `The client registration is not valid: ${message}` });
  const name = input.name?.trim();
  if (!name || name.length > 100) throw invalid('name must be 1–100 characters.');
  if (input.type !== 'public' && input.type !== 'confidential') throw invalid('type must be public or confidential.');
  const redirectUris = Array.isArray(input.redirectUris) ? input.redirectUris : [];
  if (redirectUris.length === 0 && !input.device) throw invalid('at least one redirect URI is required.');
  for (const uri of [...redirectUris, ...(input.postLogoutRedirectUris ?? [])]) checkRedirectUri(uri, invalid);
  if (input.backchannelLogoutUri !== undefined) checkRedirectUri(input.backchannelLogoutUri, invalid);
  for (const origin of input.webOrigins ?? []) checkRedirectUri(origin, invalid);
  const confidential = input.type === 'confidential';
  const authMethod = confidential ? (input.authMethod ?? 'client_secret_basic') : 'none';
  if (input.authMethod !== undefined && !confidential) throw invalid('a public client has no token endpoint authentication (--auth-method is for confidential clients).');
  if (confidential && !CLIENT_AUTH_METHODS.includes(authMethod as ClientAuthMethod)) throw invalid(`auth method must be one of ${CLIENT_AUTH_METHODS.join(', ')}.`);
  if (authMethod === 'private_key_jwt' && !input.jwksUri) throw invalid('private_key_jwt needs the client’s jwks_uri (--jwks-uri).');
  if (input.jwksUri !== undefined) {
    if (authMethod !== 'private_key_jwt') throw invalid('jwks_uri is only used by private_key_jwt clients.');
    checkRedirectUri(input.jwksUri, invalid);
  }
  const idTokenAlg = input.idTokenAlg ?? 'RS256';
  if (!CLIENT_ID_TOKEN_ALGS.includes(idTokenAlg)) throw invalid(`ID token algorithm must be one of ${CLIENT_ID_TOKEN_ALGS.join(', ')}.`);
  const scopes = input.scopes?.length ? input.scopes : [...ALL_SCOPES];
  const unknown = scopes.filter((s) => !ALL_SCOPES.includes(s));
  if (unknown.length) throw invalid(`unknown scope ${unknown.join(', ')} (known: ${ALL_SCOPES.join(', ')}).`);
  const codeFlow = redirectUris.length > 0;
  const grantTypes = [...(codeFlow ? ['authorization_code'] : []), 'refresh_token', ...(confidential ? ['client_credentials'] : []), ...(input.device ? [DEVICE_CODE_GRANT] : [])];
  return {
    client_id: `gh_${ids.token(16)}`,
    // A private_key_jwt client proves itself with its own key; a secret would only be one more thing to leak.
    ...(confidential && authMethod !== 'private_key_jwt' ? { client_secret: ids.token(32) } : {}),
    client_name: name,
    redirect_uris: [...new Set(redirectUris)],
    post_logout_redirect_uris: [...new Set(input.postLogoutRedirectUris ?? [])],
    response_types: codeFlow ? ['code'] : [],
    grant_types: grantTypes,
    token_endpoint_auth_method: authMethod,
    id_token_signed_response_alg: idTokenAlg,
    ...(input.jwksUri ? { jwks_uri: input.jwksUri } : {}),
    ...(input.webOrigins?.length ? { web_origins: [...new Set(input.webOrigins.map((o) => new URL(o).origin))] } : {}),
    ...(input.backchannelLogoutUri ? { backchannel_logout_uri: input.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    scope: [...new Set(scopes)].join(' '),
  };
}

function checkRedirectUri(uri: string, invalid: (m: string) => Error): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`${JSON.stringify(uri)} is not an absolute URL.`);
  }
  if (url.hash) throw invalid('redirect URIs must not contain a fragment.');
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw invalid('redirect URIs must use https (plain http only on a loopback address).');
  }
}
