import type { ErrorCode } from '../../core/index.js';
import { addConnectionTokens, dropsRequestField, FIELD_VALUE, TOKEN } from './headers.js';

/**
 * Request framing rules (RFC 9112 §6) and the request head parser of the fast path, pure: text in,
 * a parsed head or an error code out. The node:http path applies the same rules (`framingOf`,
 * `effectiveTarget`) to what llhttp parsed, so both paths refuse the same ambiguities.
 */

/** How the request's body is delimited. */
export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };

export interface RequestLimits {
  /** Header fields per request (431 past it). */
  maxHeaderCount: number;
  /** Bytes in the request line (414 past it). */
  maxRequestLineBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { maxHeaderCount: 100, maxRequestLineBytes: 8 * 1024 };

const DIGITS = /^\d{1,15}$/;
const NONE: readonly string[] = [];

// Idempotent methods (RFC 9110 §9.2.2): the only ones sent again after a backend may have acted on them.
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** A request with this method may be retried on another backend after it was sent (both L7 paths). */
export const isReplayable = (method: string): boolean => REPLAYABLE.has(method);

/**
 * The body framing of a request from its Content-Length and Transfer-Encoding values (one entry per
 * field line). Anything two parsers could read two ways is refused: both fields at once, repeated
 * Content-Length (even equal), a length that is not plain digits, a coding other than exactly
 * `chunked`, and Transfer-Encoding in HTTP/1.0, where it did not exist (RFC 9112 §6.1).
 */
export function framingOf(version: string, contentLengths: readonly string[], transferEncodings: readonly string[]): Framing | ErrorCode {
  if (transferEncodings.length > 0) {
    if (contentLengths.length > 0 || version !== '1.1') return 'GH_BALANCER_AMBIGUOUS_LENGTH';
    if (transferEncodings.length !== 1 || (transferEncodings[0] as string).trim().toLowerCase() !== 'chunked') return 'GH_BALANCER_AMBIGUOUS_LENGTH';
    return { kind: 'chunked' };
  }
  if (contentLengths.length === 0) return { kind: 'none' };
  const value = (contentLengths[0] as string).trim();
  if (contentLengths.length !== 1 || !DIGITS.test(value)) return 'GH_BALANCER_AMBIGUOUS_LENGTH';
  const length = Number(value);
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

/**
 * The origin-form target and authority to forward. An absolute-form target (RFC 9112 §3.2.2) becomes
 * origin-form and its authority the Host; a Host that names another authority is refused, as is a
 * missing or empty Host in HTTP/1.1. HTTP/1.0 without Host gets `fallbackHost`.
 */
export function effectiveTarget(target: string, version: string, hosts: readonly string[], fallbackHost: string): { target: string; host: string } | ErrorCode {
  if (hosts.length > 1) return 'GH_BALANCER_BAD_REQUEST';
  const host = hosts[0]?.trim();
  // HTTP/1.1 requires a Host, even with an absolute target (RFC 9112 §3.2); an empty one names nothing.
  if (host === '' || (host === undefined && version !== '1.0')) return 'GH_BALANCER_BAD_REQUEST';
  if (target.startsWith('/') || target === '*') return { target, host: host ?? fallbackHost };
  const m = /^http:\/\/([^/?#@\s]+)([^#\s]*)$/i.exec(target);
  if (!m) return 'GH_BALANCER_BAD_REQUEST';
  const authority = m[1] as string;
  const rest = m[2] as string;
  const path = rest === '' ? '/' : rest.startsWith('/') ? rest : rest.startsWith('?') ? `/${rest}` : undefined;
  if (path === undefined) return 'GH_BALANCER_BAD_REQUEST';
  if (host !== undefined && sameAuthority(host, authority) === false) return 'GH_BALANCER_HOST_MISMATCH';
  return { target: path, host: authority };
}

function sameAuthority(a: string, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/:80$/, '');
  return norm(a) === norm(b);
}

export interface RequestHead {
  method: string;
  /** Origin-form (or `*`). */
  target: string;
  version: '1.0' | '1.1';
  /** The effective authority (Host, the absolute-form target's, or the listener's for HTTP/1.0). */
  host: string;
  /** Lower-cased name → value (repeats joined with ", "), for routing keys and forwarding. */
  headers: Map<string, string>;
  /** End-to-end header lines to forward, as received (without Host and the forwarding fields). */
  lines: string[];
  framing: Framing;
  /** The client asked to close after this exchange (or HTTP/1.0 without keep-alive). */
  close: boolean;
  /** Upgrade requested (Connection: upgrade and an Upgrade field). */
  upgrade: boolean;
  expectContinue: boolean;
}

/**
 * Parses a request head (`text` is latin1, from the request line up to but excluding the CRLF CRLF
 * that ends it). Leading empty lines must have been skipped already.
 */
export function parseRequestHead(text: string, fallbackHost: string, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): RequestHead | ErrorCode {
  const lineEnd = text.indexOf('\r\n');
  const requestLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
  if (requestLine.length > limits.maxRequestLineBytes) return 'GH_BALANCER_URI_TOO_LONG';
  const sp1 = requestLine.indexOf(' ');
  const sp2 = requestLine.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1) return 'GH_BALANCER_BAD_REQUEST';
  const method = requestLine.slice(0, sp1);
  const rawTarget = requestLine.slice(sp1 + 1, sp2);
  const versionText = requestLine.slice(sp2 + 1);
  if (!TOKEN.test(method)) return 'GH_BALANCER_BAD_REQUEST';
  if (versionText !== 'HTTP/1.1' && versionText !== 'HTTP/1.0') return 'GH_BALANCER_BAD_REQUEST';
  const version = versionText === 'HTTP/1.1' ? '1.1' : '1.0';
  // Visible ASCII only: no spaces, controls or raw 8-bit bytes in a target.
  if (rawTarget.length === 0 || !/^[\x21-\x7e]+$/.test(rawTarget)) return 'GH_BALANCER_BAD_REQUEST';
  if (method === 'CONNECT') return 'GH_BALANCER_BAD_REQUEST';

  const headers = new Map<string, string>();
  const lines: string[] = [];
  const names: string[] = [];
  // Made only when the field occurs: this runs once per request on the fast path.
  let contentLengths: string[] | undefined;
  let transferEncodings: string[] | undefined;
  let hosts: string[] | undefined;
  let connection: Set<string> | undefined;
  let count = 0;
  let at = lineEnd < 0 ? text.length : lineEnd + 2;
  while (at < text.length) {
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    at = end + 2;
    if (++count > limits.maxHeaderCount) return 'GH_BALANCER_TOO_MANY_HEADERS';
    const colon = line.indexOf(':');
    // No colon, an empty name, or a line starting with whitespace (obs-fold) is refused.
    if (colon <= 0) return 'GH_BALANCER_BAD_REQUEST';
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return 'GH_BALANCER_BAD_REQUEST';
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return 'GH_BALANCER_BAD_REQUEST';
    const lower = name.toLowerCase();
    const prior = headers.get(lower);
    headers.set(lower, prior === undefined ? value : `${prior}, ${value}`);
    if (lower === 'content-length') (contentLengths ??= []).push(value);
    else if (lower === 'transfer-encoding') (transferEncodings ??= []).push(value);
    else if (lower === 'host') (hosts ??= []).push(value);
    else if (lower === 'connection') addConnectionTokens(value, (connection ??= new Set()));
    if (!dropsRequestField(lower)) {
      lines.push(line);
      names.push(lower);
    }
  }
  const framing = framingOf(version, contentLengths ?? NONE, transferEncodings ?? NONE);
  if (typeof framing === 'string') return framing;
  const effective = effectiveTarget(rawTarget, version, hosts ?? NONE, fallbackHost);
  if (typeof effective === 'string') return effective;
  // Fields the Connection header names are hop-by-hop too (RFC 9110 §7.6.1); usually there are none.
  const named = connection;
  const forward = named === undefined || named.size === 0 ? lines : lines.filter((_line, i) => !named.has(names[i] as string));
  const close = named?.has('close') === true || (version === '1.0' && named?.has('keep-alive') !== true);
  return {
    method,
    target: effective.target,
    version,
    host: effective.host,
    headers,
    lines: forward,
    framing,
    close,
    upgrade: named?.has('upgrade') === true && headers.has('upgrade'),
    expectContinue: headers.get('expect')?.toLowerCase() === '100-continue',
  };
}

/** What llhttp made of a request, as node:http hands it over. */
export interface ParsedByNode {
  method: string;
  url: string;
  /** `1.1`, `1.0`, … */
  version: string;
  rawHeaders: readonly string[];
}

/**
 * The same rules for a request node:http already parsed (llhttp refuses most ambiguities itself; this
 * adds the ones it lets through: codings other than chunked, chunked in HTTP/1.0, repeated Host, an
 * absolute-form target that disagrees with Host, versions other than 1.0/1.1, the limits).
 */
export function checkParsedRequest(req: ParsedByNode, fallbackHost: string, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): { target: string; host: string; framing: Framing } | ErrorCode {
  if (req.version !== '1.1' && req.version !== '1.0') return 'GH_BALANCER_BAD_REQUEST';
  if (req.method.length + req.url.length + 10 > limits.maxRequestLineBytes) return 'GH_BALANCER_URI_TOO_LONG';
  if (req.rawHeaders.length / 2 > limits.maxHeaderCount) return 'GH_BALANCER_TOO_MANY_HEADERS';
  const contentLengths: string[] = [];
  const transferEncodings: string[] = [];
  const hosts: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const lower = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (lower === 'content-length') contentLengths.push(value);
    else if (lower === 'transfer-encoding') transferEncodings.push(value);
    else if (lower === 'host') hosts.push(value);
  }
  const framing = framingOf(req.version, contentLengths, transferEncodings);
  if (typeof framing === 'string') return framing;
  const effective = effectiveTarget(req.url, req.version, hosts, fallbackHost);
  if (typeof effective === 'string') return effective;
  return { ...effective, framing };
}
