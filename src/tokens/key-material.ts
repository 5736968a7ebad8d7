import { calculateJwkThumbprint, compactDecrypt, CompactEncrypt, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { GatehouseError } from '../core/index.js';

export type SigningAlg = 'EdDSA' | 'ES256' | 'RS256';

export interface GeneratedKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh key pair bound to one algorithm; its kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedKey> {
  const pair = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const privateJwk = await exportJWK(pair.privateKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  // alg, kid and use travel with the key, so every consumer (JWKS readers, oidc-provider) binds it to one algorithm.
  const bind = (jwk: JWK): JWK => ({ ...jwk, kid, alg, use: 'sig' });
  return { kid, alg, publicJwk: bind(publicJwk), privateJwk: bind(privateJwk) };
}

/**
 * Private JWKs rest encrypted (dir / A256GCM) under a key derived from the instance secret. The kid is
 * in the authenticated header, so a row whose ciphertext was swapped for another key's fails to load.
 */
export async function sealPrivateJwk(privateJwk: JWK, kid: string, key: Uint8Array): Promise<string> {
  return new CompactEncrypt(encoder.encode(JSON.stringify(privateJwk))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(key);
}

export async function openPrivateJwk(jwe: string, kid: string, key: Uint8Array): Promise<JWK> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    if (protectedHeader.kid !== kid) throw new Error('kid mismatch');
    return JSON.parse(decoder.decode(plaintext)) as JWK;
  } catch (error) {
    throw new GatehouseError('GH_TOKEN_KEYSTORE_UNREADABLE', { cause: error });
  }
}

export async function importKey(jwk: JWK, alg: string): Promise<CryptoKey> {
  return (await importJWK(jwk, alg)) as CryptoKey;
}

/** The public members of a JWK only: what may be published. */
export function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...rest } = jwk as JWK & { oth?: unknown };
  return rest;
}
