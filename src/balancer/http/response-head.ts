import { ChunkedScanner } from './chunked.js';
import { dropsResponseField, FIELD_VALUE, TOKEN } from './headers.js';

/**
 * The response head parser of the fast path and the WebSocket tunnel, pure: the head's text in, its
 * status, body framing (RFC 9112 §6.3) and the end-to-end lines to pass on out — or undefined when the
 * head is malformed, which the caller answers with 502.
 */
export interface ResponseHead {
  status: number;
  /** `HTTP/1.x NNN reason`, as received. */
  statusLine: string;
  /** Header lines to pass on (hop-by-hop ones and those Connection names removed). */
  lines: string[];
  /**
   * none: no body (HEAD, 1xx, 204, 304); length: Content-Length bytes; chunked: up to the last chunk;
   * close: until the backend closes.
   */
  mode: 'none' | 'length' | 'chunked' | 'close';
  length: number;
  /** The backend will close after this response (HTTP/1.0 or Connection: close). */
  upstreamClose: boolean;
}

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/;
const DIGITS = /^\d{1,15}$/;

export function parseResponseHead(text: string, requestMethod: string): ResponseHead | undefined {
  // Lines are walked in place (no split): this runs once per response on the fast path.
  const lineEnd = text.indexOf('\r\n');
  const statusLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const m = STATUS_LINE.exec(statusLine);
  if (!m) return undefined;
  const status = Number(m[2]);
  let length = -1;
  let chunked = false;
  let upstreamClose = m[1] === '0';
  const kept: string[] = [];
  const keptNames: string[] = [];
  /** End-to-end fields the Connection header names (hop-by-hop ones are dropped anyway); usually none. */
  let named: Set<string> | undefined;
  for (let at = lineEnd < 0 ? text.length : lineEnd; at < text.length; ) {
    const start = at + 2;
    let end = text.indexOf('\r\n', start);
    if (end < 0) end = text.length;
    at = end;
    const line = text.slice(start, end);
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const lower = line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(lower)) return undefined;
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return undefined;
    if (lower === 'content-length') {
      // Repeats of one value are harmless (RFC 9110 §8.6); differing ones make the length unknowable.
      for (const part of value.split(',')) {
        const v = part.trim();
        if (!DIGITS.test(v) || (length >= 0 && Number(v) !== length)) return undefined;
        length = Number(v);
      }
    } else if (lower === 'transfer-encoding') {
      // Only chunked as the final coding frames a body this balancer can delimit.
      const codings = value.toLowerCase().split(',');
      if (codings[codings.length - 1]?.trim() !== 'chunked') return undefined;
      chunked = true;
    } else if (lower === 'connection') {
      for (const token of value.toLowerCase().split(',')) {
        const t = token.trim();
        if (t === 'close') upstreamClose = true;
        if (t && !dropsResponseField(t, true)) (named ??= new Set()).add(t);
      }
    }
    if (!dropsResponseField(lower, true)) {
      kept.push(line);
      keptNames.push(lower);
    }
  }
  const noBody = status < 200 || requestMethod === 'HEAD' || status === 204 || status === 304;
  const mode: ResponseHead['mode'] = noBody ? 'none' : chunked ? 'chunked' : length >= 0 ? 'length' : 'close';
  // With chunked framing a Content-Length is wrong and must not reach the client (RFC 9112 §6.3).
  const headerLines =
    named === undefined && !(chunked && length >= 0)
      ? kept
      : kept.filter((_line, i) => {
          const lower = keptNames[i] as string;
          return !(chunked && lower === 'content-length') && !named?.has(lower);
        });
  return { status, statusLine, lines: headerLines, mode, length: mode === 'length' ? length : 0, upstreamClose };
}

/** The head to send the client, latin1 text ending in CRLF CRLF. */
export function renderResponseHead(head: ResponseHead, closeClient: boolean): string {
  const fields = head.lines.length ? `${head.lines.join('\r\n')}\r\n` : '';
  if (head.status < 200) return `${head.statusLine}\r\n${fields}\r\n`;
  return `${head.statusLine}\r\n${fields}${closeClient ? 'Connection: close\r\n' : 'Connection: keep-alive\r\n'}\r\n`;
}

/**
 * Finds the end of a response body in the bytes after its head, chunk by chunk: the index just after
 * the body's last byte in `buf`, -1 while it goes on (always for `close`), -2 on broken chunking.
 */
export function bodyEndFinder(head: ResponseHead): (buf: Buffer) => number {
  if (head.mode === 'none') return () => 0;
  if (head.mode === 'close') return () => -1;
  if (head.mode === 'chunked') {
    const scanner = new ChunkedScanner();
    return (buf) => scanner.feed(buf);
  }
  let left = head.length;
  return (buf) => {
    const take = Math.min(left, buf.length);
    left -= take;
    return left === 0 ? take : -1;
  };
}
