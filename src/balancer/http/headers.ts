/**
 * The balancer's header rules, in one place for the fast path, the node:http path and the WebSocket
 * tunnel: what a field name and value may look like, which fields belong to one connection only, and
 * the forwarding fields the balancer writes itself.
 */

/** RFC 9110 §5.6.2 token (field names, methods, Connection options). */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 §5.5 field value: visible ASCII, space, tab and obs-text; never CR, LF or NUL. */
export const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection, so a proxy drops them along with
 * every field the Connection header names. `proxy-connection` is non-standard but still sent by old
 * clients.
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** Written by the balancer itself, so a client cannot claim to be someone else. */
const FORWARDING = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];
/**
 * Request fields never forwarded: hop-by-hop ones, credentials meant for this proxy, `expect` (the
 * balancer answers 100 Continue itself), the forwarding fields (rewritten) and `host` (written from the
 * request's effective authority).
 */
const REQUEST_DROPPED = new Set([...HOP_BY_HOP, 'proxy-authorization', 'expect', 'host', ...FORWARDING]);
/** Response fields never passed on when the balancer frames the body itself (node:http path). */
const RESPONSE_DROPPED = new Set([...HOP_BY_HOP, 'proxy-authenticate']);
/**
 * The same when the body's bytes go through as the backend framed them (fast path): its
 * Transfer-Encoding and Trailer fields describe those very bytes, so they stay.
 */
const RESPONSE_DROPPED_RAW = new Set([...HOP_BY_HOP, 'proxy-authenticate'].filter((name) => name !== 'transfer-encoding' && name !== 'trailer'));

export const dropsRequestField = (lower: string): boolean => REQUEST_DROPPED.has(lower);
export const dropsResponseField = (lower: string, bodyPassedRaw: boolean): boolean => (bodyPassedRaw ? RESPONSE_DROPPED_RAW : RESPONSE_DROPPED).has(lower);

/** Adds the comma-separated options of one Connection value, lower-cased, to `into`. */
export function addConnectionTokens(value: string, into: Set<string>): Set<string> {
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase();
    if (t) into.add(t);
  }
  return into;
}

/** Names listed in Connection, lower-cased. */
export function connectionTokens(value: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  if (value === undefined) return tokens;
  for (const part of Array.isArray(value) ? value : [value]) addConnectionTokens(part, tokens);
  return tokens;
}

/**
 * Copies `raw` (node's rawHeaders: name, value, name, value…) without the fields `drops` rejects or
 * Connection names, keeping the original case, order and repeated fields (several Set-Cookie lines
 * must stay several).
 */
export function endToEnd(raw: readonly string[], connection: string | string[] | undefined, drops: (lower: string) => boolean): string[] {
  const named = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (drops(lower) || named.has(lower)) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

export interface ForwardInfo {
  clientIp: string;
  proto: 'http' | 'https';
  /** The request's effective authority. */
  host: string;
  /** Trust X-Forwarded-For / Forwarded already on the request (only behind another trusted proxy). */
  trustIncoming: boolean;
  priorForwardedFor?: string | undefined;
  priorForwarded?: string | undefined;
}

/**
 * Host, X-Forwarded-For/-Proto/-Host and Forwarded (RFC 7239) as raw header text, each line ending in
 * CRLF. Incoming forwarding values are dropped unless trusted.
 */
export function forwardingLines(info: ForwardInfo): string {
  let xff = info.clientIp;
  let forwarded = `for=${info.clientIp.includes(':') ? `"[${info.clientIp}]"` : info.clientIp}`;
  if (info.trustIncoming) {
    if (info.priorForwardedFor) xff = `${info.priorForwardedFor}, ${xff}`;
    if (info.priorForwarded) forwarded = `${info.priorForwarded}, ${forwarded}`;
  }
  const host = info.host;
  forwarded += `;host=${TOKEN.test(host) ? host : `"${host.replace(/["\\]/g, '\\$&')}"`};proto=${info.proto}`;
  return `Host: ${host}\r\nX-Forwarded-For: ${xff}\r\nX-Forwarded-Proto: ${info.proto}\r\nX-Forwarded-Host: ${host}\r\nForwarded: ${forwarded}\r\n`;
}

/** The same as name/value pairs, for node's client (rawHeaders form). */
export function forwardingPairs(info: ForwardInfo): string[] {
  const out: string[] = [];
  for (const line of forwardingLines(info).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out.push(line.slice(0, colon), line.slice(colon + 2));
  }
  return out;
}

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is reported as plain IPv4. */
export function clientAddress(remote: string | undefined): string {
  if (!remote) return '';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

/** `host:port` of the address a client connected to, for an HTTP/1.0 request that named no Host. */
export function listenerAuthority(address: string | undefined, port: number | undefined): string {
  const host = clientAddress(address) || 'localhost';
  return `${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}`;
}
