// oauth/: gatehouse as an OAuth 2.0 / OpenID Connect authorization server (oidc-provider configured:
// storage adapter, accounts, interactions and consent), the resource-server side that accepts its access
// tokens, and client management.
export { createOidcAdapterFactory } from './adapter/factory.js';
export type { OidcAdapterOptions } from './adapter/factory.js';
export { DURABLE_MODELS, isDurableModel } from './adapter/models.js';
export { createSqlOidcAdapter, sweepOauthModels } from './adapter/sql-adapter.js';
export { createRedisOidcAdapter } from './adapter/redis-adapter.js';
