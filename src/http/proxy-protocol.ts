import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../core/index.js';

/**
 * Reads the PROXY header off a fresh socket (the balancer's codec, handed in by the composition root:
 * the HTTP layer does not depend on the balancer). Resolves with the source address, if the header
 * names one, and the bytes that followed it.
 */
export type ProxyHeaderReader = (socket: Socket, options: { timeoutMs: number }) => Promise<{ header: { command: 'proxy' | 'local'; source?: { address: string; port: number } }; rest: Buffer }>;

/**
 * Behind an L4 balancer the TCP peer is the balancer; the client's address arrives in the PROXY
 * protocol header (v1 or v2) that opens every connection. This reads that header before the HTTP parser
 * sees a byte and makes it the socket's remoteAddress/remotePort, so everything downstream (request.ip,
 * throttles, rate limits, sessions, audit, Socket.IO handshakes) sees the true client. A connection
 * without a valid header is closed: with this on, the node's port must be reachable by the balancer
 * only (a LOCAL header, the balancer's own health check, keeps the real peer address).
 */
export function acceptProxyProtocol(server: Server, readProxyHeader: ProxyHeaderReader, logger: Logger, options: { timeoutMs?: number } = {}): void {
  const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    socket.pause();
    readProxyHeader(socket, { timeoutMs: options.timeoutMs ?? 5_000 }).then(
      ({ header, rest }) => {
        if (header.command === 'proxy' && header.source) {
          Object.defineProperty(socket, 'remoteAddress', { value: header.source.address, configurable: true });
          Object.defineProperty(socket, 'remotePort', { value: header.source.port, configurable: true });
        }
        if (rest.length > 0) socket.unshift(rest);
        for (const listener of httpListeners) listener.call(server, socket);
        socket.resume();
      },
      (error: unknown) => {
        logger.warn({ err: error, peer: socket.remoteAddress }, 'connection without a valid PROXY header closed');
        socket.destroy();
      },
    );
  });
}
