// federation/: signing in with other providers, gatehouse as the client (openid-client) — the provider
// registry with presets for Google, Kakao, Naver and GitHub plus any OIDC issuer, the code+PKCE flow with
// state, nonce and iss checks, and the account-linking rule.
export { createFederationModule } from './module.js';
export type { FederationModule, FederationModuleDeps } from './module.js';
export { createFederationFlow, safeReturnTo } from './flow.js';
export type { CallbackResult, FederationFlow, LinkRequest, StartResult } from './flow.js';
export { resolveAccount } from './accounts.js';
export type { AccountResolution, ExternalIdentity, LinkContext } from './accounts.js';
export { createLinkStore } from './links.js';
export type { FederationLink, LinkStore } from './links.js';
export { createProviderRegistry } from './providers/registry.js';
export type { ProviderInput, ProviderRecord, ProviderRegistry, ProviderView } from './providers/registry.js';
export { isProviderKind, PRESETS } from './providers/presets.js';
export type { Preset, ProviderKind } from './providers/presets.js';
export { createSecretBox } from './providers/secret-box.js';
export type { SecretBox } from './providers/secret-box.js';
export { loadDeclaredProviders } from './providers/declared.js';
export { adminView, normalizeProvider, publicView } from './providers/registry.js';
export type { ProviderAdminView, ProviderSource } from './providers/registry.js';
export { describeFailure } from './failure.js';
export type { FailureRecord } from './failure.js';
export { callbackUrlFor, problemPagePath } from './pages.js';
