import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** Randomness is injected like time, so tests can name what they expect. */
export interface IdSource {
  /** A CSPRNG token of `bytes` random bytes, base64url (no padding). */
  token(bytes: number): string;
  /** A random UUID (v4) for record ids. */
  uuid(): string;
}

export const cryptoIds: IdSource = {
  token: (bytes) => randomBytes(bytes).toString('base64url'),
  uuid: () => randomUUID(),
};

/** SHA-256 of a string, base64url: how opaque credentials are stored (never in the clear). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Constant-time string comparison for secrets of possibly different length. */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
