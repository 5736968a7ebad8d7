// tokens/: JWT mode — the one signing keystore (generated, encrypted at rest, rotated, published as
// JWKS), short-lived access JWTs (RFC 9068, verified per RFC 8725), rotating refresh-token families
// and the shared deny-list that makes revocation reach access tokens already issued.
export { createKeystore } from './keystore.js';
export type { Keystore, KeystoreDeps, KeyState } from './keystore.js';
export type { SigningAlg } from './key-material.js';
export { ACCESS_TOKEN_TYPE, createAccessTokens, DEFAULT_SCOPE } from './access-tokens.js';
export type { AccessClaims, AccessTokenDeps, AccessTokens, TokenProfile } from './access-tokens.js';
export { createDenyList } from './deny-list.js';
export type { DenyList } from './deny-list.js';
export { createRefreshTokens } from './refresh-tokens.js';
export type { RefreshFamilyView, RefreshTokenDeps, RefreshTokens } from './refresh-tokens.js';
export { createBearerResolver } from './bearer-resolver.js';
export type { BearerUser } from './bearer-resolver.js';
export { invalidTokenChallenge } from './challenge.js';
export { createTokenService } from './token-service.js';
export type { TokenPair, TokenService, TokenServiceDeps } from './token-service.js';
export type { JWK } from 'jose';
