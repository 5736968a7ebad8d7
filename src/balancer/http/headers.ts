import type { IncomingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection, so a proxy drops them along with
 * every field the Connection header names. `proxy-connection` is non-standard but still sent by old
 * clients. `expect` is answered by the balancer itself (100 Continue), so it is not forwarded either.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Names listed in Connection (comma separated), lower-cased. */
export function connectionTokens(value: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  if (value === undefined) return tokens;
  for (const part of Array.isArray(value) ? value : [value]) {
    for (const token of part.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) tokens.add(t);
    }
  }
  return tokens;
}

/**
 * Copies `raw` (node's rawHeaders: name, value, name, value…) without hop-by-hop fields, keeping the
 * original case, order and repeated fields (several Set-Cookie lines must stay several).
 * `keepUpgrade` keeps Connection/Upgrade for a WebSocket handshake.
 */
export function endToEnd(raw: readonly string[], connection: string | string[] | undefined, keepUpgrade = false): string[] {
  const named = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (keepUpgrade && (lower === 'connection' || lower === 'upgrade')) {
      out.push(name, raw[i + 1] as string);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

export interface ForwardInfo {
  clientIp: string;
  proto: 'http' | 'https';
  /** Trust X-Forwarded-* / Forwarded already on the request (only behind another trusted proxy). */
  trustIncoming: boolean;
}

const FORWARD_FIELDS = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded']);

/**
 * Adds X-Forwarded-For/-Proto/-Host and Forwarded (RFC 7239). Incoming values are dropped unless
 * trusted, so a client cannot claim to be someone else's IP.
 */
export function withForwarding(out: string[], headers: IncomingHttpHeaders, info: ForwardInfo): string[] {
  const host = headers.host ?? '';
  let xff = info.clientIp;
  let forwarded = `for=${forwardedNode(info.clientIp)}`;
  if (info.trustIncoming) {
    const prior = headers['x-forwarded-for'];
    if (prior) xff = `${Array.isArray(prior) ? prior.join(', ') : prior}, ${info.clientIp}`;
    const priorForwarded = headers.forwarded;
    if (priorForwarded) forwarded = `${priorForwarded}, ${forwarded}`;
  }
  const filtered: string[] = [];
  for (let i = 0; i + 1 < out.length; i += 2) {
    if (!FORWARD_FIELDS.has((out[i] as string).toLowerCase())) filtered.push(out[i] as string, out[i + 1] as string);
  }
  if (host) forwarded += `;host=${quoteIfNeeded(host)}`;
  forwarded += `;proto=${info.proto}`;
  filtered.push('X-Forwarded-For', xff, 'X-Forwarded-Proto', info.proto);
  if (host) filtered.push('X-Forwarded-Host', host);
  filtered.push('Forwarded', forwarded);
  return filtered;
}

/** RFC 7239 §6: IPv6 addresses are bracketed and quoted. */
function forwardedNode(ip: string): string {
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

function quoteIfNeeded(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is reported as plain IPv4. */
export function clientAddress(remote: string | undefined): string {
  if (!remote) return '';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}
