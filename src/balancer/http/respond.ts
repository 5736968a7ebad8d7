import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERRORS, type ErrorCode } from '../../core/index.js';

/** The architecture's error body `{error, message}` for a request the balancer answers itself. */
export function sendError(res: ServerResponse, code: ErrorCode, close = false): void {
  if (res.headersSent) {
    // Part of a response already went out: the only honest signal left is cutting the connection.
    res.destroy();
    return;
  }
  const spec = ERRORS[code];
  const body = JSON.stringify({ error: code, message: spec.message });
  res.writeHead(spec.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** The same on a raw socket (parser errors, failed WebSocket upgrades): answer once, then close. */
export function sendRawError(socket: Duplex, code: ErrorCode): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(errorResponse(code, true));
}

/** A complete HTTP/1.1 error response carrying the `{error, message}` body. */
export function errorResponse(code: ErrorCode, close: boolean): string {
  const spec = ERRORS[code];
  const body = JSON.stringify({ error: code, message: spec.message });
  return (
    `HTTP/1.1 ${spec.status} ${reason(spec.status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n${body}`
  );
}

function reason(status: number): string {
  return (
    { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Content Too Large', 414: 'URI Too Long', 431: 'Request Header Fields Too Large', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' } as Record<number, string>
  )[status] ?? 'Error';
}
