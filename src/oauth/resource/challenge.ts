import { GatehouseError, type ErrorCode } from '../../core/index.js';

/**
 * An RFC 6750 §3 (or RFC 9449 §7.1 for DPoP) challenge: a 401 says `invalid_token`, a 403
 * `insufficient_scope`; the description is the error's own safe message.
 */
export function resourceError(code: ErrorCode, options: { scheme?: 'Bearer' | 'DPoP'; scope?: string; cause?: unknown } = {}): GatehouseError {
  const probe = new GatehouseError(code);
  const error = probe.statusCode === 403 ? 'insufficient_scope' : 'invalid_token';
  const parts = ['realm="gatehouse"', `error="${error}"`, `error_description="${probe.message.replace(/["\\]/g, "'")}"`];
  if (options.scope) parts.push(`scope="${options.scope}"`);
  if (options.scheme === 'DPoP') parts.push('algs="ES256 EdDSA"');
  return new GatehouseError(code, { cause: options.cause, headers: { 'WWW-Authenticate': `${options.scheme ?? 'Bearer'} ${parts.join(', ')}` } });
}
