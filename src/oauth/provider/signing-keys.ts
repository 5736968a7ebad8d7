import type { CryptoKey, JWK } from 'jose';

/**
 * What the OAuth server needs of the one keystore (src/tokens): private JWKs for oidc-provider and
 * public keys by kid for the resource server. The tokens keystore satisfies it as it is.
 */
export interface OidcSigningKeys {
  signingKey(): Promise<{ kid: string; alg: string }>;
  privateJwks(): Promise<{ keys: JWK[] }>;
  /** Public JWKs of every live key; their kids tell when the provider must be rebuilt. */
  jwks(): Promise<{ keys: JWK[] }>;
  verificationKey(kid: string): Promise<{ alg: string; publicKey: CryptoKey } | null>;
}
