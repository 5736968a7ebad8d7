// Test support only: a backend that records the raw bytes it receives and what Node's own parser
// (llhttp, through a real node:http server) made of them, so a test can compare the balancer's view
// of a request stream with the backend's.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** One request as the backend's parser framed it. */
export interface ParsedRequest {
  /** Order of arrival over the recorder's whole life; echoed in the answer as `x-recorder-seq`. */
  seq: number;
  /** Which upstream connection carried it. */
  conn: number;
  method: string;
  url: string;
  version: string;
  rawHeaders: string[];
  /** Body bytes as latin1 (so every byte survives). */
  body: string;
  /** The whole body arrived (false: the connection was cut inside it). */
  complete: boolean;
  upgrade: boolean;
}

export interface RecorderConnection {
  id: number;
  raw: Buffer[];
  /** llhttp's complaint about these bytes, if it had one. */
  parseError?: string;
  closed: boolean;
}

export interface Recorder {
  port: number;
  requests: ParsedRequest[];
  connections: Map<number, RecorderConnection>;
  /** Resolves once every connection the recorder accepted has closed. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Answers every request with a JSON body naming what it parsed (`seq`, method, url, body length), the
 * answer's framing alternating between Content-Length and chunked so both response paths are used.
 * An upgrade to `/ws-accept…` gets 101 and an echo; any other upgrade gets a plain 403 and the
 * connection goes on as HTTP.
 */
export async function startRecorder(): Promise<Recorder> {
  const requests: ParsedRequest[] = [];
  const connections = new Map<number, RecorderConnection>();
  const connOf = new WeakMap<Socket, RecorderConnection>();
  /** Upgraded sockets leave node's bookkeeping, so close() ends them itself. */
  const tunnels = new Set<Duplex>();
  let nextConn = 0;
  let open = 0;
  let waiters: (() => void)[] = [];

  const record = (req: IncomingMessage, upgrade: boolean): ParsedRequest => {
    const entry: ParsedRequest = {
      seq: requests.length,
      conn: connOf.get(req.socket)?.id ?? -1,
      method: req.method ?? '',
      url: req.url ?? '',
      version: req.httpVersion,
      rawHeaders: req.rawHeaders,
      body: '',
      complete: upgrade,
      upgrade,
    };
    requests.push(entry);
    return entry;
  };

  const answer = (entry: ParsedRequest, res: ServerResponse): void => {
    const body = JSON.stringify({ seq: entry.seq, method: entry.method, url: entry.url, bodyLength: entry.body.length });
    res.setHeader('x-recorder-seq', String(entry.seq));
    if (entry.seq % 2 === 0) {
      res.setHeader('content-length', Buffer.byteLength(body));
      res.end(entry.method === 'HEAD' ? undefined : body);
      return;
    }
    // No length: node chunks it (or, to an HTTP/1.0 request, closes after it).
    res.write(body.slice(0, 5));
    res.end(body.slice(5));
  };

  const server = http.createServer((req, res) => {
    const entry = record(req, false);
    req.on('data', (chunk: Buffer) => (entry.body += chunk.toString('latin1')));
    req.on('end', () => {
      entry.complete = true;
      answer(entry, res);
    });
    req.on('error', () => undefined);
  });
  server.keepAliveTimeout = 60_000;
  // A client that ends its side after its requests still gets every answer, and bodies read so far
  // are kept: node would otherwise abort the requests in flight.
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('connection', (socket: Socket) => {
    // A socket handed back after a refused upgrade is already known.
    if (connOf.has(socket)) return;
    const conn: RecorderConnection = { id: nextConn++, raw: [], closed: false };
    connections.set(conn.id, conn);
    connOf.set(socket, conn);
    open++;
    socket.on('data', (chunk: Buffer) => conn.raw.push(chunk));
    socket.on('close', () => {
      conn.closed = true;
      if (--open === 0) {
        const w = waiters;
        waiters = [];
        for (const resolve of w) resolve();
      }
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    const conn = connOf.get(socket as Socket);
    if (conn && error.code !== 'ECONNRESET') conn.parseError = `${error.code ?? 'error'}: ${error.reason ?? error.message}`;
    socket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const entry = record(req, true);
    socket.on('error', () => socket.destroy());
    if ((req.url ?? '').startsWith('/ws-accept')) {
      tunnels.add(socket);
      socket.on('close', () => tunnels.delete(socket));
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade ?? 'x'}\r\nConnection: Upgrade\r\nX-Recorder-Seq: ${entry.seq}\r\n\r\n`);
      if (head.length > 0) socket.write(`echo:${head.toString('latin1')}`);
      socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString('latin1')}`));
      return;
    }
    // Refused: the connection stays HTTP, so whatever follows is parsed as requests again.
    const body = JSON.stringify({ seq: entry.seq, refused: 'upgrade' });
    socket.write(`HTTP/1.1 403 Forbidden\r\nX-Recorder-Seq: ${entry.seq}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    if (head.length > 0) socket.unshift(head);
    server.emit('connection', socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    connections,
    allClosed: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }),
  };
}
