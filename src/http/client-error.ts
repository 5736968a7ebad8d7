import http from 'node:http';
import type { Socket } from 'node:net';
import { GatehouseError } from '../core/index.js';

/**
 * Answers a request node could not even parse (a malformed request line, oversized headers, a slow
 * client) with a coded error like every other refusal, then closes the connection. Unlike fastify's
 * default it sends no body after a HEAD request line: a client that asked HEAD reads no body, and the
 * stray bytes would corrupt its view of the connection.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const coded =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new GatehouseError('GH_CORE_HEADERS_TOO_LARGE')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new GatehouseError('GH_CORE_REQUEST_TIMEOUT')
        : new GatehouseError('GH_CORE_VALIDATION', { message: 'The request could not be parsed as HTTP/1.1.' });
  const head = Buffer.isBuffer(error.rawPacket) && error.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = head ? '' : JSON.stringify(coded.toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${coded.statusCode} ${http.STATUS_CODES[coded.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
