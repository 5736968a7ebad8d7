import { GatehouseError, type ErrorCode } from '../core/index.js';

/** RFC 6750 §3 challenge for a rejected bearer token; the description is the coded message, never token content. */
export function invalidTokenChallenge(message: string): string {
  return `Bearer realm="gatehouse", error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"`;
}

/** A 401 token error that already carries its WWW-Authenticate header. */
export function tokenError(code: ErrorCode, options: { cause?: unknown; details?: Record<string, unknown> } = {}): GatehouseError {
  const probe = new GatehouseError(code);
  return new GatehouseError(code, { ...options, headers: { 'WWW-Authenticate': invalidTokenChallenge(probe.message) } });
}
