// Real sockets for the L4 tests: backends that say who they are and what client address they were told.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { readProxyHeader } from '../../src/balancer/proxy-protocol/index.js';

export interface TestBackend {
  name: string;
  port: number;
  server: Server;
  /** Client addresses this backend learned, from a PROXY header or the socket. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * A TCP backend: greets each connection with "<name> <client address>\n" (read from a PROXY header when
 * `proxyProtocol` is set), then echoes everything; on the client's half-close it writes "bye\n" and ends.
 */
export async function startTcpBackend(name: string, options: { proxyProtocol?: boolean } = {}): Promise<TestBackend> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    void (async () => {
      let who = socket.remoteAddress ?? '';
      let rest: Buffer = Buffer.alloc(0);
      if (options.proxyProtocol) {
        try {
          const read = await readProxyHeader(socket);
          who = read.header.source?.address ?? `local:${who}`;
          rest = read.rest;
        } catch {
          socket.destroy();
          return;
        }
      }
      seen.push(who);
      socket.write(`${name} ${who}\n`);
      if (rest.length) socket.write(rest);
      socket.pipe(socket, { end: false });
      socket.on('end', () => socket.end('bye\n'));
      socket.resume();
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    name,
    port,
    server,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects (optionally from a given loopback address) and resolves with the socket once connected. */
export async function dial(port: number, localAddress?: string): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
  await once(socket, 'connect');
  return socket;
}

/** Resolves once the socket has closed (reading and discarding whatever still arrives). */
export async function closed(socket: Socket): Promise<void> {
  if (socket.closed) return;
  socket.on('error', () => undefined);
  socket.resume();
  await once(socket, 'close');
}

/** Reads until `predicate(text)` holds or the socket closes; resolves with everything read. */
export function readUntil(socket: Socket, predicate: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (): void => {
      socket.off('data', onData);
      socket.off('close', finish);
      resolve(text);
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (predicate(text)) finish();
    };
    socket.on('data', onData);
    socket.on('close', finish);
  });
}

/** One line-greeting exchange: which backend answered, and the client address it was told. */
export async function greet(port: number, localAddress?: string): Promise<{ backend: string; client: string }> {
  const socket = await dial(port, localAddress);
  const text = await readUntil(socket, (t) => t.includes('\n'));
  socket.destroy();
  const [backend = '', client = ''] = text.split('\n')[0]!.split(' ');
  return { backend, client };
}
