import { base64url, decodeJwt, decodeProtectedHeader, errors } from 'jose';

// What the "what just happened" page shows of the access token it holds: the note's three parts.
// Decoding needs no key (anyone can read a JWT); only the signature check needs the server's JWKS.

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The three base64url segments as they travel. */
  parts: { header: string; payload: string; signature: string };
  signatureBytes: number;
}

/** Splits and decodes a compact JWS; null when it is not one (never throws on bad input). */
export function decodeToken(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    return {
      header: decodeProtectedHeader(token),
      payload: decodeJwt(token),
      parts: { header, payload, signature },
      signatureBytes: signature ? base64url.decode(signature).length : 0,
    };
  } catch {
    return null;
  }
}

export type SignatureVerdict =
  | { state: 'valid'; kid: string | null; alg: string }
  | { state: 'invalid'; reason: string }
  | { state: 'unsupported'; alg: string }
  | { state: 'unavailable'; reason: string };

/** Maps what jose threw while verifying to a verdict the page can explain. */
export function verdictFromError(error: unknown, alg: string): SignatureVerdict {
  if (error instanceof errors.JOSENotSupported) return { state: 'unsupported', alg };
  // Browsers without Ed25519 in WebCrypto throw a DOMException NotSupportedError from importKey.
  if (typeof error === 'object' && error !== null && (error as { name?: string }).name === 'NotSupportedError') return { state: 'unsupported', alg };
  if (error instanceof errors.JWSSignatureVerificationFailed) return { state: 'invalid', reason: 'signature does not match' };
  if (error instanceof errors.JWTExpired) return { state: 'invalid', reason: 'expired' };
  if (error instanceof errors.JWKSNoMatchingKey) return { state: 'invalid', reason: 'no key with this kid in the JWKS' };
  if (error instanceof errors.JOSEError) return { state: 'invalid', reason: error.code };
  return { state: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
}

/** Seconds left before `exp`, negative once expired; null without an exp claim. */
export function secondsLeft(payload: Record<string, unknown>, nowMs: number): number | null {
  return typeof payload.exp === 'number' ? Math.round(payload.exp - nowMs / 1000) : null;
}
