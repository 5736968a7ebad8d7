import { GatehouseError } from '../../core/index.js';
import type { ProxyParseResult } from './types.js';
import { parseProxyV1, V1_PREFIX } from './v1.js';
import { parseProxyV2, V2_DEFAULT_MAX_LENGTH, V2_SIGNATURE } from './v2.js';

function startsLike(buf: Buffer, prefix: Buffer): boolean {
  const n = Math.min(buf.length, prefix.length);
  return buf.subarray(0, n).equals(prefix.subarray(0, n));
}

/**
 * Looks at the first bytes a connection sent: `{done:false}` while they could still become a header,
 * the header and its length once complete, and a GH_BALANCER_PROXY_HEADER_INVALID error as soon as they
 * cannot (a missing header is an error too: accept mode requires one, as HAProxy's accept-proxy does).
 */
export function parseProxyHeader(buf: Buffer, options: { maxV2Length?: number } = {}): ProxyParseResult {
  if (buf.length === 0) return { done: false };
  if (startsLike(buf, V2_SIGNATURE)) return parseProxyV2(buf, options.maxV2Length ?? V2_DEFAULT_MAX_LENGTH);
  if (startsLike(buf, V1_PREFIX)) return buf.length < V1_PREFIX.length ? { done: false } : parseProxyV1(buf);
  throw new GatehouseError('GH_BALANCER_PROXY_HEADER_INVALID', { details: { reason: 'no PROXY header' } });
}
