import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { decodeToken, verdictFromError, type SignatureVerdict } from './jwt.js';

/**
 * Checks the token's signature in this browser with WebCrypto against the server's published keys,
 * exactly as any other holder of the JWKS could: proof that the payload was not changed in transit.
 */
export async function verifyInBrowser(token: string, jwks: JSONWebKeySet): Promise<SignatureVerdict> {
  const decoded = decodeToken(token);
  if (!decoded) return { state: 'invalid', reason: 'not a compact JWS' };
  const alg = typeof decoded.header.alg === 'string' ? decoded.header.alg : 'unknown';
  try {
    const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: [alg] });
    return { state: 'valid', kid: protectedHeader.kid ?? null, alg: protectedHeader.alg };
  } catch (error) {
    return verdictFromError(error, alg);
  }
}
