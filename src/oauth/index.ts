// oauth/: gatehouse as an OAuth 2.0 / OpenID Connect authorization server (oidc-provider configured:
// storage adapter, accounts, interactions and consent), the resource-server side that accepts its access
// tokens, and client management.
export { createOidcAdapterFactory } from './adapter/factory.js';
export type { OidcAdapterOptions } from './adapter/factory.js';
export { DURABLE_MODELS, isDurableModel } from './adapter/models.js';
export { createSqlOidcAdapter, sweepOauthModels } from './adapter/sql-adapter.js';
export { createRedisOidcAdapter } from './adapter/redis-adapter.js';
export { createAuthorizationServer, OIDC_MOUNT } from './provider/server.js';
export type { AuthorizationServer, AuthorizationServerDeps } from './provider/server.js';
export type { OidcSigningKeys } from './provider/signing-keys.js';
export { ALL_SCOPES, API_SCOPES, OIDC_SCOPES, SCOPE_DESCRIPTIONS } from './provider/scopes.js';
export { createInteractionHandlers, sendHtml, sendInteractionError } from './interactions/handlers.js';
export type { Granted, InteractionDeps, InteractionHandlers, LoginStep, PasswordCheck, SecondFactorCheck } from './interactions/handlers.js';
export { ACR_MFA, ACR_PASSWORD, ACR_VALUES } from './provider/acr.js';
export { createOauthResolver } from './resource/resolver.js';
export type { OauthResolverDeps } from './resource/resolver.js';
export { resourceError } from './resource/challenge.js';
export { createGrantManager } from './grants/grants.js';
export type { AppView, GrantManager, GrantView } from './grants/grants.js';
export { clientWebOrigins, createWebOriginPolicy } from './clients/web-origins.js';
export type { WebOriginPolicy } from './clients/web-origins.js';
export { CLIENT_AUTH_METHODS, CLIENT_ID_TOKEN_ALGS, DEVICE_CODE_GRANT, clientMetadata, createClientManager } from './clients/clients.js';
export type { ClientAuthMethod, ClientIdTokenAlg, ClientInput, ClientManager, ClientManagerDeps, ClientType, ClientView } from './clients/clients.js';
export { throttledClientSecretCheck } from './clients/secret-throttle.js';
export { createOauthModule } from './module.js';
export type { OauthModule, OauthModuleDeps } from './module.js';
