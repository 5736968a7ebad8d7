import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock, type ErrorCode, type Logger } from '../../core/index.js';
import type { Pool } from '../pool.js';
import type { Backend, PickContext } from '../types.js';
import { clientAddress, endToEnd, withForwarding } from './headers.js';
import { sendError, sendRawError } from './respond.js';
import { createSidRouter, sidFromHandshake, type SidRouter } from './socketio.js';
import { createFastPath } from './fast-path.js';
import { closeGradually } from './gradual-close.js';

export interface HttpProxyOptions {
  pool: Pool;
  clock?: Clock;
  logger?: Logger;
  /** Upstream TCP connect, ms. A connect failure is retried on another backend. */
  connectTimeoutMs?: number;
  /** Upstream response headers after the request started, ms (504 past it). */
  responseTimeoutMs?: number;
  /** Client request headers must arrive within this (slowloris), ms. */
  headersTimeoutMs?: number;
  /** The whole client request (headers and body) must arrive within this, ms. */
  requestTimeoutMs?: number;
  /** A client socket silent this long is closed, ms (must exceed Socket.IO's long-poll wait). */
  idleTimeoutMs?: number;
  /** An idle keep-alive client connection is closed after this, ms. */
  keepAliveTimeoutMs?: number;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  /** Extra attempts on another backend when connecting fails (and, for bodiless safe requests, on a reset). */
  retries?: number;
  /** Consistent-hash key: 'ip' (default), 'path', 'header:<name>' or 'cookie:<name>'. */
  hashKey?: string;
  /** Keep X-Forwarded-* / Forwarded from the client (only when another trusted proxy is in front). */
  trustForwarded?: boolean;
  /** engine.io path for sid-aware routing; false turns it off. */
  socketioPath?: string | false;
  /** WebSockets on a drained backend are closed spread over this window, ms. */
  wsDrainWindowMs?: number;
  maxSocketsPerBackend?: number;
  /**
   * Frame plain bodiless HTTP/1.1 requests directly on the sockets (fast-path.ts); everything else,
   * and every connection after its first such request, goes through node:http. Default true.
   */
  fastPath?: boolean;
}

export interface HttpProxy {
  readonly server: http.Server;
  readonly sids: SidRouter | undefined;
  /** Open proxied WebSockets (tunnels) per backend id. */
  tunnels(backendId?: string): number;
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes everything. */
  close(graceMs?: number): Promise<void>;
}

const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createHttpProxy(options: HttpProxyOptions): HttpProxy {
  const pool = options.pool;
  const clock = options.clock ?? systemClock;
  const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  const responseTimeoutMs = options.responseTimeoutMs ?? 60_000;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const retries = options.retries ?? 2;
  const trustIncoming = options.trustForwarded ?? false;
  const keyOf = keyExtractor(options.hashKey ?? 'ip');
  const sids = options.socketioPath === false ? undefined : createSidRouter({ path: options.socketioPath || '/socket.io/', clock });
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSocketsPerBackend ?? 1024, maxFreeSockets: 256, scheduling: 'lifo' });
  const tunnels = new Map<string, Set<Duplex>>();
  const headersTimeout = options.headersTimeoutMs ?? 10_000;

  const server = http.createServer({
    maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
    headersTimeout,
    requestTimeout: options.requestTimeoutMs ?? 120_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    // Node checks the two timeouts above on this period; a short one makes slowloris cuts prompt.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
    noDelay: true,
  });
  server.timeout = options.idleTimeoutMs ?? 120_000;

  const eligible = (b: Backend | undefined): b is Backend => b !== undefined && (b.state === 'up' || b.state === 'slow-start');

  /** The engine.io session's backend when known and alive, else the algorithm's choice (skipping `tried`). */
  const choose = (req: IncomingMessage, clientIp: string, tried: Set<string>, sid: string | undefined): Backend | null => {
    if (sid && sids) {
      const owner = pool.get(sids.lookup(sid) ?? '');
      if (eligible(owner) && !tried.has(owner.id)) return owner;
    }
    const ctx: PickContext = { clientIp };
    const key = keyOf(req.url ?? '/', (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    });
    if (key !== undefined) ctx.key = key;
    let backend = pool.pick(ctx);
    for (let i = 0; backend && tried.has(backend.id) && i < pool.list().length * 2; i++) backend = pool.pick(ctx);
    return backend;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res);
    } catch (error) {
      options.logger?.error({ err: error }, 'balancer: request handler failed');
      sendError(res, 'GH_BALANCER_BAD_GATEWAY', true);
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const clientIp = clientAddress(req.socket.remoteAddress);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      sendError(res, 'GH_BALANCER_PAYLOAD_TOO_LARGE', true);
      return;
    }
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const hasBody = (declared !== undefined && declared !== '0') || chunked;
    const replayable = !hasBody && REPLAYABLE.has(req.method ?? '');
    const headers = withForwarding(endToEnd(req.rawHeaders, req.headers.connection), req.headers, { clientIp, proto: 'http', trustIncoming });
    // Transfer-Encoding is hop-by-hop, so it was dropped above; the body is re-chunked on the way out.
    // It must be said explicitly: for GET, HEAD, DELETE and OPTIONS node sends a body without any
    // framing by default, and the backend would read it as the next request.
    if (chunked) headers.push('Transfer-Encoding', 'chunked');
    const url = req.url ?? '/';
    const sid = sids?.sidOf(url);
    const handshake = sids?.isHandshake(url) ?? false;
    const tried = new Set<string>();
    let bodyStarted = false;
    let clientGone = false;
    let current: http.ClientRequest | undefined;
    let received = 0;

    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        current?.destroy();
      }
    });

    const attempt = (left: number): void => {
      const backend = choose(req, clientIp, tried, sid);
      if (!backend) {
        sendError(res, 'GH_BALANCER_NO_BACKEND');
        return;
      }
      tried.add(backend.id);
      pool.acquire(backend);
      const started = performance.now();
      let released = false;
      let gotResponse = false;
      let connected = false;
      let failure: ErrorCode = 'GH_BALANCER_BAD_GATEWAY';
      const timers: NodeJS.Timeout[] = [];
      const finish = (ok: boolean, latencyMs?: number): void => {
        if (released) return;
        released = true;
        for (const t of timers) clearTimeout(t);
        pool.release(backend, latencyMs === undefined ? { ok } : { ok, latencyMs });
      };

      const upstream = http.request({ host: backend.host, port: backend.port, method: req.method, path: url, headers, agent, setHost: false });
      current = upstream;

      const startBody = (): void => {
        if (!hasBody) {
          upstream.end();
          return;
        }
        // Never reached on a retry after the body went out (the retry rule forbids it), but a
        // request body can only be streamed once, so refuse rather than send half of one.
        if (bodyStarted) {
          upstream.destroy();
          return;
        }
        bodyStarted = true;
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxBodyBytes) {
            req.unpipe(upstream);
            upstream.destroy();
            sendError(res, 'GH_BALANCER_PAYLOAD_TOO_LARGE', true);
          }
        });
        req.pipe(upstream);
      };

      upstream.on('socket', (socket: Socket) => {
        if (!socket.connecting) {
          connected = true;
          startBody();
          return;
        }
        // The body is held back until the backend accepts the connection, so a refused connection
        // can be retried elsewhere with the body still unread, whatever the method.
        const connectTimer = setTimeout(() => {
          failure = 'GH_BALANCER_GATEWAY_TIMEOUT';
          upstream.destroy(new Error('connect timeout'));
        }, connectTimeoutMs);
        timers.push(connectTimer);
        socket.once('connect', () => {
          connected = true;
          clearTimeout(connectTimer);
          startBody();
        });
      });
      timers.push(
        setTimeout(() => {
          failure = 'GH_BALANCER_GATEWAY_TIMEOUT';
          upstream.destroy(new Error('response timeout'));
        }, responseTimeoutMs),
      );

      upstream.on('error', () => {
        if (gotResponse) {
          finish(false);
          res.destroy();
          return;
        }
        // A keep-alive connection the backend had already closed is not the backend's fault.
        const stale = upstream.reusedSocket && failure === 'GH_BALANCER_BAD_GATEWAY';
        finish(stale);
        if (clientGone) return;
        const retryable = !connected ? !bodyStarted || !hasBody : replayable && failure !== 'GH_BALANCER_GATEWAY_TIMEOUT';
        if (left > 0 && (retryable || (stale && replayable))) {
          attempt(left - 1);
          return;
        }
        sendError(res, failure);
      });

      upstream.on('response', (upstreamRes: IncomingMessage) => {
        gotResponse = true;
        for (const t of timers) clearTimeout(t);
        const latencyMs = performance.now() - started;
        if (clientGone) {
          upstreamRes.resume();
          finish(true, latencyMs);
          return;
        }
        const out = endToEnd(upstreamRes.rawHeaders, upstreamRes.headers.connection);
        try {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, out);
        } catch {
          // A header value node refuses to send (it parsed it, yet it is invalid to write): a bad gateway.
          upstreamRes.resume();
          finish(false);
          sendError(res, 'GH_BALANCER_BAD_GATEWAY');
          return;
        }
        if (handshake && sids && upstreamRes.statusCode === 200) learnSid(upstreamRes, backend.id, sids);
        upstreamRes.on('end', () => finish(true, latencyMs));
        upstreamRes.on('close', () => {
          if (!upstreamRes.complete) {
            finish(false);
            res.destroy();
          }
        });
        upstreamRes.on('error', () => undefined);
        upstreamRes.pipe(res);
      });
    };

    req.on('error', () => current?.destroy());
    attempt(retries);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      tunnel(req, socket, head);
    } catch (error) {
      options.logger?.error({ err: error }, 'balancer: upgrade failed');
      sendRawError(socket, 'GH_BALANCER_BAD_GATEWAY');
    }
  });

  function tunnel(req: IncomingMessage, client: Duplex, head: Buffer): void {
    const clientIp = clientAddress(req.socket.remoteAddress);
    const backend = choose(req, clientIp, new Set(), sids?.sidOf(req.url ?? '/'));
    if (!backend) {
      sendRawError(client, 'GH_BALANCER_NO_BACKEND');
      return;
    }
    // An open WebSocket may be silent for long stretches; its liveness is its own ping/pong's job.
    (client as Socket).setTimeout?.(0);
    pool.acquire(backend);
    let connected = false;
    let released = false;
    const upstream = net.connect({ host: backend.host, port: backend.port, noDelay: true });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), connectTimeoutMs);
    const set = tunnels.get(backend.id) ?? new Set<Duplex>();
    tunnels.set(backend.id, set);
    set.add(client);
    const done = (ok: boolean): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      set.delete(client);
      pool.release(backend, { ok });
    };
    upstream.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      const headers = withForwarding(endToEnd(req.rawHeaders, req.headers.connection, true), req.headers, { clientIp, proto: 'http', trustIncoming });
      let text = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
      for (let i = 0; i + 1 < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      upstream.write(`${text}\r\n`);
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => {
      if (!connected) {
        done(false);
        sendRawError(client, 'GH_BALANCER_BAD_GATEWAY');
      }
    });
    upstream.on('close', () => {
      done(connected);
      client.destroy();
    });
    client.on('close', () => {
      done(connected);
      upstream.destroy();
    });
  }

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const code: ErrorCode =
      error.code === 'HPE_HEADER_OVERFLOW' ? 'GH_BALANCER_HEADERS_TOO_LARGE' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'GH_BALANCER_REQUEST_TIMEOUT' : 'GH_BALANCER_BAD_REQUEST';
    sendRawError(socket, code);
  });

  const fast =
    options.fastPath === false
      ? undefined
      : createFastPath({
          pool,
          handOff(socket, buffered) {
            if (buffered.length > 0) socket.unshift(buffered);
            server.emit('connection', socket);
            socket.resume();
          },
          keyOf: (_method, target, headers) => keyOf(target, (name) => headers.get(name)),
          socketioPath: sids ? options.socketioPath || '/socket.io/' : false,
          trustForwarded: trustIncoming,
          connectTimeoutMs,
          responseTimeoutMs,
          headersTimeoutMs: headersTimeout,
          keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5_000,
          maxHeaderBytes: options.maxHeaderBytes ?? 16 * 1024,
          retries,
          ...(options.logger ? { logger: options.logger } : {}),
        });

  const windowMs = options.wsDrainWindowMs ?? 10_000;
  const onLeaving = (backend: Backend): void => {
    const set = tunnels.get(backend.id);
    if (set && set.size > 0) closeGradually([...set], windowMs, clock);
  };
  pool.on('draining', onLeaving);
  pool.on('removed', (backend: Backend) => {
    onLeaving(backend);
    sids?.forget(backend.id);
  });

  return {
    server,
    sids,
    tunnels(backendId?: string): number {
      if (backendId !== undefined) return tunnels.get(backendId)?.size ?? 0;
      let n = 0;
      for (const set of tunnels.values()) n += set.size;
      return n;
    },
    listen(port: number, host = '127.0.0.1'): Promise<number> {
      const listener: net.Server = fast?.server ?? server;
      return new Promise((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          resolve((listener.address() as net.AddressInfo).port);
        });
      });
    },
    close(graceMs = 5_000): Promise<void> {
      pool.off('draining', onLeaving);
      const closeFast = new Promise<void>((resolve) => (fast?.server.listening ? fast.server.close(() => resolve()) : resolve()));
      fast?.closeIdle();
      const closeHttp = new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.closeAllConnections();
          fast?.destroyAll();
          for (const set of tunnels.values()) for (const s of set) s.destroy();
        }, graceMs);
        force.unref();
        const finished = (): void => {
          clearTimeout(force);
          agent.destroy();
          resolve();
        };
        if (server.listening) server.close(finished);
        else {
          // Fast-path mode: node:http only ever received handed-off connections.
          server.closeIdleConnections();
          const wait = (): void => {
            server.getConnections((_error, count) => (count === 0 ? finished() : setTimeout(wait, 50).unref()));
          };
          wait();
        }
        server.closeIdleConnections();
        for (const set of tunnels.values()) for (const s of set) s.destroy();
      });
      return Promise.all([closeFast, closeHttp]).then(() => undefined);
    },
  };
}

/** Reads the first bytes of an engine.io handshake response for its sid, without holding the stream. */
function learnSid(res: IncomingMessage, backendId: string, sids: SidRouter): void {
  let seen = '';
  const onData = (chunk: Buffer): void => {
    seen += chunk.toString('latin1');
    const sid = sidFromHandshake(seen);
    if (sid) sids.learn(sid, backendId);
    if (sid || seen.length > 1024) res.off('data', onData);
  };
  res.on('data', onData);
}

/** The consistent-hash key of a request, from its target and (lower-cased) header lookup. */
export function keyExtractor(spec: string): (url: string, header: (name: string) => string | undefined) => string | undefined {
  if (spec === 'ip') return () => undefined;
  if (spec === 'path') return (url) => url.split('?')[0];
  if (spec.startsWith('header:')) {
    const name = spec.slice(7).toLowerCase();
    return (_url, header) => header(name);
  }
  if (spec.startsWith('cookie:')) {
    const name = spec.slice(7);
    return (_url, header) => {
      const cookie = header('cookie');
      if (!cookie) return undefined;
      for (const part of cookie.split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
      }
      return undefined;
    };
  }
  return () => undefined;
}

export function isValidHashKey(spec: string): boolean {
  return spec === 'ip' || spec === 'path' || /^(header|cookie):[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(spec);
}
