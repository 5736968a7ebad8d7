// Test support only: real HTTP backends on ephemeral ports that say who answered.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface TestBackend {
  id: string;
  port: number;
  server: http.Server;
  /** Requests seen, by path. */
  hits: string[];
  /** Makes /health answer 500 (true) or 200 (false). */
  setSick(sick: boolean): void;
  /** Stops listening and cuts every connection (a crash, as the balancer sees it). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
}

function route(id: string, state: { sick: boolean }, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/health':
      res.writeHead(state.sick ? 500 : 200).end(state.sick ? 'sick' : 'ok');
      return;
    case '/echo':
      res.writeHead(200, { 'x-backend': id, 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    case '/reset':
      req.socket.destroy();
      return;
    case '/hang':
      return;
    case '/garbage':
      req.socket.end('HTTP/1.1 ???? nonsense\r\n\r\n');
      return;
    case '/consume-then-reset':
      req.resume();
      req.on('end', () => req.socket.destroy());
      return;
    case '/cookies':
      res.writeHead(200, [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['Connection', 'x-private'], ['X-Private', 'hop'], ['X-Backend', id]].flat());
      res.end('ok');
      return;
    case '/chunked':
      res.writeHead(200, { 'x-backend': id });
      res.write('one,');
      setTimeout(() => res.end('two'), 5);
      return;
    case '/no-content':
      res.writeHead(204, { 'x-backend': id }).end();
      return;
    case '/until-close':
      req.socket.end(`HTTP/1.1 200 OK\r\nX-Backend: ${id}\r\n\r\nbody until close`);
      return;
    case '/slow': {
      const ms = Number(url.searchParams.get('ms') ?? '50');
      setTimeout(() => res.writeHead(200, { 'x-backend': id }).end(id), ms);
      return;
    }
    default: {
      let size = 0;
      req.on('data', (c: Buffer) => (size += c.length));
      req.on('end', () => {
        const body = JSON.stringify({ id, method: req.method, url: req.url, headers: req.headers, bodyBytes: size, remote: req.socket.remoteAddress });
        res.writeHead(200, { 'content-type': 'application/json', 'x-backend': id, 'content-length': Buffer.byteLength(body) }).end(body);
      });
    }
  }
}

export async function startTestBackend(id: string, port = 0): Promise<TestBackend> {
  const state = { sick: false };
  const hits: string[] = [];
  const sockets = new Set<Socket | Duplex>();
  const make = (): http.Server => {
    const server = http.createServer((req, res) => {
      hits.push(req.url ?? '/');
      route(id, state, req, res);
    });
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    // An echo WebSocket stand-in: 101, then every byte comes back prefixed by who answered.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      hits.push(`upgrade ${req.url ?? '/'}`);
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade ?? 'x'}\r\nConnection: Upgrade\r\nX-Backend: ${id}\r\nX-Seen-XFF: ${req.headers['x-forwarded-for'] ?? ''}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(`${id}:${d.toString()}`));
    });
    return server;
  };
  let server = make();
  const listen = (p: number): Promise<number> =>
    new Promise((resolve) => server.listen(p, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const actual = await listen(port);
  const backend: TestBackend = {
    id,
    port: actual,
    get server() {
      return server;
    },
    hits,
    setSick: (sick) => (state.sick = sick),
    kill: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
    revive: async () => {
      server = make();
      await listen(actual);
    },
  };
  return backend;
}

/** GET (or another method) through the balancer; resolves with status, headers and body. */
export function request(
  port: number,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer; localAddress?: string; agent?: http.Agent | false } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a fresh TCP connection; resolves with everything read until the server closes. */
export async function rawExchange(port: number, data: string, options: { keepOpenMs?: number } = {}): Promise<string> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(data);
      if (options.keepOpenMs === undefined) return;
    });
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', (e) => (out ? resolve(out) : reject(e)));
    socket.setTimeout(30_000, () => socket.destroy());
  });
}

/** Listens on a loopback ephemeral port and returns it; `cleanups` gets the close (open connections cut). */
export async function listenLoopback(server: http.Server, cleanups: (() => Promise<void>)[]): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}
