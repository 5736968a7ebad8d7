import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock, type ErrorCode, type Logger } from '../../core/index.js';
import { FAILED, SUCCEEDED, UNCOUNTED, UNREACHABLE, type Pool } from '../pool.js';
import type { Backend, PickContext } from '../types.js';
import { clientAddress, dropsRequestField, dropsResponseField, endToEnd, forwardingPairs, listenerAuthority } from './headers.js';
import { checkParsedRequest, DEFAULT_REQUEST_LIMITS, isReplayable, type RequestLimits } from './request-head.js';
import { bodyEndFinder, parseResponseHead, renderResponseHead, type ResponseHead } from './response-head.js';
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
  /** Header field count and request line length limits (431 and 414 past them). */
  requestLimits?: RequestLimits;
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
  /**
   * Stops accepting and lets requests in flight finish — bodies still arriving, long-polls — each
   * connection closing after its response; at `graceMs` whatever is left is cut. WebSocket tunnels
   * close at once (their clients reconnect elsewhere).
   */
  close(graceMs?: number): Promise<void>;
}

/** llhttp's complaints about a request's length: the same refusal as the shared framing rules give. */
const LENGTH_ERRORS = new Set(['HPE_INVALID_TRANSFER_ENCODING', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_CONTENT_LENGTH']);

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
  // Shutting down: each connection closes once its response is done.
  let closing = false;
  // Connections node:http took over from the fast path (its own server never listens in that mode,
  // so it cannot cut them at the end of the grace period).
  const handedOff = new Set<Socket>();
  const limits = options.requestLimits ?? DEFAULT_REQUEST_LIMITS;
  /** Connections whose framing failed: nothing more read on them is forwarded. */
  const refused = new WeakSet<object>();
  /** Connections handed over by the fast path after the client had ended its side. */
  const endedClients = new WeakSet<object>();

  const server = http.createServer({
    maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
    headersTimeout,
    requestTimeout: options.requestTimeoutMs ?? 120_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    // Node checks the two timeouts above on this period; a short one makes slowloris cuts prompt.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
    noDelay: true,
    // Host is checked by the shared framing rules, so a missing one gets the coded 400 as well.
    requireHostHeader: false,
  });
  server.timeout = options.idleTimeoutMs ?? 120_000;
  // One more than the limit, so that a request over it is seen (node silently drops fields past it).
  server.maxHeadersCount = limits.maxHeaderCount + 1;
  // A client may end its side after its last request and still read the answers (node would abort them).
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

  const eligible = (b: Backend | undefined): b is Backend => b !== undefined && (b.state === 'up' || b.state === 'slow-start');

  /** The engine.io session's backend when known and alive, else the algorithm's choice (never one in `tried`). */
  const choose = (req: IncomingMessage, clientIp: string, tried: Set<string>, sid: string | undefined): Backend | null => {
    if (sid && sids) {
      const owner = pool.get(sids.lookup(sid) ?? '');
      if (eligible(owner) && !tried.has(owner.id)) return owner;
    }
    const ctx: PickContext = { clientIp, exclude: tried };
    const key = keyOf(req.url ?? '/', (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    });
    if (key !== undefined) ctx.key = key;
    return pool.pick(ctx);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      handle(req, res);
    } catch (error) {
      options.logger?.error({ err: error }, 'balancer: request handler failed');
      sendError(res, 'GH_BALANCER_BAD_GATEWAY', true);
    }
  };
  server.on('request', onRequest);
  // node writes "100 Continue" straight to the socket, even while an earlier pipelined response is
  // still going out, where it would land inside that response's bytes. Only the response at the head
  // of the connection may send it; a pipelined request's client has sent its body anyway.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if ((req.socket as Socket & { _httpMessage?: unknown })._httpMessage === res) res.writeContinue();
    onRequest(req, res);
  });

  /**
   * Answers a request the framing rules refuse and closes the connection; requests node already read
   * behind it on that connection are dropped unanswered, never forwarded.
   */
  function refuse(req: IncomingMessage, res: ServerResponse, code: ErrorCode): void {
    refused.add(req.socket);
    req.resume();
    sendError(res, code, true);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (refused.has(req.socket)) {
      res.destroy();
      return;
    }
    const clientIp = clientAddress(req.socket.remoteAddress);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      sendError(res, 'GH_BALANCER_PAYLOAD_TOO_LARGE', true);
      return;
    }
    const checked = checkParsedRequest(
      { method: req.method ?? '', url: req.url ?? '', version: req.httpVersion, rawHeaders: req.rawHeaders },
      listenerAuthority(req.socket.localAddress, req.socket.localPort),
      limits,
    );
    if (typeof checked === 'string') {
      refuse(req, res, checked);
      return;
    }
    const hasBody = checked.framing.kind !== 'none';
    const replayable = !hasBody && isReplayable(req.method ?? '');
    const headers = endToEnd(req.rawHeaders, req.headers.connection, dropsRequestField);
    headers.push(
      ...forwardingPairs({
        clientIp,
        proto: 'http',
        host: checked.host,
        trustIncoming,
        priorForwardedFor: headerText(req.headers['x-forwarded-for']),
        priorForwarded: headerText(req.headers.forwarded),
      }),
    );
    // Transfer-Encoding is hop-by-hop, so it was dropped above; the body is re-chunked on the way out.
    // It must be said explicitly: for GET, HEAD, DELETE and OPTIONS node sends a body without any
    // framing by default, and the backend would read it as the next request.
    if (checked.framing.kind === 'chunked') headers.push('Transfer-Encoding', 'chunked');
    const url = checked.target;
    const sid = sids?.sidOf(url);
    const handshake = sids?.isHandshake(url) ?? false;
    const tried = new Set<string>();
    let bodyStarted = false;
    let clientGone = false;
    let current: http.ClientRequest | undefined;
    let received = 0;
    // A request counts one failure against the backends, however often it is retried (it may be the
    // request, not the backends, that fails).
    let blamed = false;

    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        current?.destroy();
      }
      if (closing) req.socket.end();
    });

    /** `lastFailure` answers when a retry finds no untried backend (or the retry budget is spent). */
    const attempt = (left: number, lastFailure: ErrorCode): void => {
      const backend = choose(req, clientIp, tried, sid);
      if (!backend) {
        sendError(res, lastFailure);
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
      const finish = (ok: boolean | null, latencyMs?: number): void => {
        if (released) return;
        released = true;
        for (const t of timers) clearTimeout(t);
        // Whatever broke after the client left (a cut upload or download) is not the backend's doing.
        if (clientGone || ok === null) pool.release(backend, UNCOUNTED);
        else if (ok && latencyMs !== undefined) pool.release(backend, { ok, latencyMs });
        else if (ok) pool.release(backend, SUCCEEDED);
        else if (!connected) pool.release(backend, UNREACHABLE);
        else if (blamed) pool.release(backend, UNCOUNTED);
        else {
          blamed = true;
          pool.release(backend, FAILED);
        }
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
        finish(stale ? null : false);
        if (clientGone) return;
        const retryable = !connected ? !bodyStarted || !hasBody : replayable && failure !== 'GH_BALANCER_GATEWAY_TIMEOUT';
        if (left > 0 && (retryable || (stale && replayable))) {
          attempt(left - 1, failure);
          return;
        }
        sendError(res, failure);
      });

      // Interim responses reach the client: 103 Early Hints (its Link headers let the browser start
      // fetching) and 102 Processing. 100 Continue is node:http's own business with the client.
      upstream.on('information', (info: http.InformationEvent) => {
        if (clientGone || res.headersSent) return;
        try {
          if (info.statusCode === 103) res.writeEarlyHints(earlyHints(info.rawHeaders));
          else if (info.statusCode === 102) res.writeProcessing();
        } catch {
          // A hint node will not write (an invalid Link value) is dropped; the final response still comes.
        }
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
        const out = endToEnd(upstreamRes.rawHeaders, upstreamRes.headers.connection, (lower) => dropsResponseField(lower, false));
        if (closing) out.push('Connection', 'close');
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

    req.on('error', () => {
      clientGone = true;
      current?.destroy();
    });
    attempt(retries, 'GH_BALANCER_NO_BACKEND');
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

  /**
   * A WebSocket (or other) upgrade. The request goes to the backend with the balancer's forwarding
   * fields, and the client's bytes are held back until the backend answers: only a 101 turns the
   * connection into a tunnel. Any other answer is passed on as an HTTP response and the connection
   * goes back to node:http, so what the client sends next is parsed and forwarded as requests again —
   * never carried raw to the backend past the balancer's rules.
   */
  function tunnel(req: IncomingMessage, client: Duplex, early: Buffer): void {
    const socket = client as Socket;
    const clientIp = clientAddress(socket.remoteAddress);
    const checked = checkParsedRequest(
      { method: req.method ?? '', url: req.url ?? '', version: req.httpVersion, rawHeaders: req.rawHeaders },
      listenerAuthority(socket.localAddress, socket.localPort),
      limits,
    );
    // An upgrade carries no body here: its bytes after the head belong to the new protocol.
    if (typeof checked === 'string' || checked.framing.kind !== 'none') {
      sendRawError(client, typeof checked === 'string' ? checked : 'GH_BALANCER_BAD_REQUEST');
      return;
    }
    const backend = choose(req, clientIp, new Set(), sids?.sidOf(req.url ?? '/'));
    if (!backend) {
      sendRawError(client, 'GH_BALANCER_NO_BACKEND');
      return;
    }
    socket.pause();
    pool.acquire(backend);
    let phase: 'connecting' | 'waiting' | 'open' | 'http' | 'over' = 'connecting';
    // The upstream connection was made: a failure after this is the answer's, not reachability's.
    let reached = false;
    let released = false;
    let acc: Buffer = Buffer.alloc(0);
    const upstream = net.connect({ host: backend.host, port: backend.port, noDelay: true });
    // The connect timeout, then the response timeout while waiting for the backend's answer.
    let timer = setTimeout(() => fail('GH_BALANCER_GATEWAY_TIMEOUT'), connectTimeoutMs);
    const release = (ok: boolean): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      tunnels.get(backend.id)?.delete(client);
      // Not reaching the backend is its failure whatever the request; a bad answer counts once.
      pool.release(backend, ok ? SUCCEEDED : phase === 'connecting' || !reached ? UNREACHABLE : FAILED);
    };
    const fail = (code: ErrorCode): void => {
      if (phase === 'over' || phase === 'open' || phase === 'http') return;
      phase = 'over';
      release(false);
      upstream.destroy();
      sendRawError(client, code);
    };
    upstream.on('connect', () => {
      phase = 'waiting';
      reached = true;
      clearTimeout(timer);
      timer = setTimeout(() => fail('GH_BALANCER_GATEWAY_TIMEOUT'), responseTimeoutMs);
      const fields = endToEnd(req.rawHeaders, req.headers.connection, dropsRequestField);
      fields.push(...forwardingPairs({ clientIp, proto: 'http', host: checked.host, trustIncoming, priorForwardedFor: headerText(req.headers['x-forwarded-for']), priorForwarded: headerText(req.headers.forwarded) }));
      let text = `${req.method ?? 'GET'} ${checked.target} HTTP/1.1\r\n`;
      for (let i = 0; i + 1 < fields.length; i += 2) text += `${fields[i]}: ${fields[i + 1]}\r\n`;
      text += `Connection: Upgrade\r\nUpgrade: ${headerText(req.headers.upgrade) ?? ''}\r\n\r\n`;
      upstream.write(text, 'latin1');
    });
    upstream.on('data', (chunk: Buffer) => {
      if (phase !== 'waiting') return;
      acc = acc.length === 0 ? chunk : Buffer.concat([acc, chunk]);
      for (;;) {
        const end = acc.indexOf('\r\n\r\n');
        if (end < 0) {
          if (acc.length > 64 * 1024) fail('GH_BALANCER_BAD_GATEWAY');
          return;
        }
        const parsed = parseResponseHead(acc.toString('latin1', 0, end), req.method ?? 'GET');
        if (!parsed) return fail('GH_BALANCER_BAD_GATEWAY');
        const headBytes = acc.subarray(0, end + 4);
        const rest = acc.subarray(end + 4);
        if (parsed.status === 101) return open(headBytes, rest);
        if (parsed.status < 200) {
          client.write(Buffer.from(renderResponseHead(parsed, false), 'latin1'));
          acc = rest;
          continue;
        }
        return answerAsHttp(parsed, rest);
      }
    });

    /** 101: from now on the bytes are the new protocol's, carried both ways untouched. */
    const open = (headBytes: Buffer, rest: Buffer): void => {
      phase = 'open';
      clearTimeout(timer);
      // An open WebSocket may be silent for long stretches; its liveness is its own ping/pong's job.
      socket.setTimeout?.(0);
      const set = tunnels.get(backend.id) ?? new Set<Duplex>();
      tunnels.set(backend.id, set);
      set.add(client);
      client.write(headBytes);
      if (rest.length > 0) client.write(rest);
      if (early.length > 0) upstream.write(early);
      client.pipe(upstream);
      upstream.pipe(client);
      socket.resume();
    };

    /** Any other answer: an HTTP response, after which the connection is HTTP again. */
    const answerAsHttp = (parsed: ResponseHead, rest: Buffer): void => {
      phase = 'http';
      clearTimeout(timer);
      const keep = parsed.mode !== 'close' && !parsed.upstreamClose;
      client.write(Buffer.from(renderResponseHead(parsed, !keep), 'latin1'));
      const endOf = bodyEndFinder(parsed);
      const finish = (ok: boolean): void => {
        phase = 'over';
        release(ok);
        upstream.destroy();
        // A client that already ended its side has nothing more to send: done.
        if (!ok || !keep || endedClients.has(socket) || socket.readableEnded) {
          client.end();
          return;
        }
        // Back to node:http with the bytes the client sent after the refused upgrade.
        if (early.length > 0) socket.unshift(early);
        server.emit('connection', socket);
        socket.resume();
      };
      const feed = (buf: Buffer): void => {
        const at = endOf(buf);
        if (at === -2) {
          phase = 'over';
          release(false);
          upstream.destroy();
          socket.destroy();
          return;
        }
        client.write(at >= 0 ? buf.subarray(0, at) : buf);
        if (at >= 0) finish(true);
      };
      upstream.removeAllListeners('data');
      upstream.on('data', feed);
      upstream.on('end', () => {
        if (phase === 'http') finish(parsed.mode === 'close');
      });
      feed(rest);
    };

    upstream.on('error', () => fail('GH_BALANCER_BAD_GATEWAY'));
    upstream.on('close', () => {
      if (phase === 'waiting' || phase === 'connecting') return fail('GH_BALANCER_BAD_GATEWAY');
      if (phase === 'open') {
        release(true);
        client.destroy();
      }
    });
    client.on('close', () => {
      if (phase === 'open' || phase === 'waiting' || phase === 'connecting') {
        release(phase === 'open');
        upstream.destroy();
      }
    });
  }

  // CONNECT asks for a raw tunnel to any host: not something a reverse proxy offers.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    sendRawError(socket, 'GH_BALANCER_BAD_REQUEST');
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Already refused (and answered) by the framing rules: nothing more to say.
    if (error.code === 'ECONNRESET' || !socket.writable || refused.has(socket)) {
      socket.destroy();
      return;
    }
    const code: ErrorCode =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'GH_BALANCER_HEADERS_TOO_LARGE'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'GH_BALANCER_REQUEST_TIMEOUT'
          : LENGTH_ERRORS.has(error.code ?? '')
            ? 'GH_BALANCER_AMBIGUOUS_LENGTH'
            : 'GH_BALANCER_BAD_REQUEST';
    sendRawError(socket, code);
  });

  const fast =
    options.fastPath === false
      ? undefined
      : createFastPath({
          pool,
          handOff(socket, buffered, ended) {
            handedOff.add(socket);
            socket.once('close', () => handedOff.delete(socket));
            if (!ended) {
              if (buffered.length > 0) socket.unshift(buffered);
              server.emit('connection', socket);
              socket.resume();
              return;
            }
            // The stream has ended, so nothing can be unshifted: node:http is given the bytes and the
            // end the way the socket would have delivered them.
            endedClients.add(socket);
            server.emit('connection', socket);
            if (buffered.length > 0) socket.emit('data', buffered);
            socket.emit('end');
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
      closing = true;
      pool.off('draining', onLeaving);
      // The listener that accepted every connection (handed-off ones included) calls back once the
      // last of them has closed: that is the drain finishing. Upstream connections stay until then,
      // so requests in flight and uploads still arriving reach their backend.
      const listener: net.Server = fast?.server ?? server;
      const drained = new Promise<void>((resolve) => (listener.listening ? listener.close(() => resolve()) : resolve()));
      fast?.closeIdle();
      server.closeIdleConnections();
      for (const set of tunnels.values()) for (const s of set) s.destroy();
      const force = setTimeout(() => {
        server.closeAllConnections();
        fast?.destroyAll();
        for (const socket of handedOff) socket.destroy();
      }, graceMs);
      force.unref();
      return drained.then(() => {
        clearTimeout(force);
        agent.destroy();
      });
    },
  };
}

/** A 103's fields as writeEarlyHints() takes them (hop-by-hop ones left out, repeated ones kept). */
function earlyHints(rawHeaders: readonly string[]): Record<string, string | string[]> {
  const hints: Record<string, string | string[]> = {};
  const pairs = endToEnd(rawHeaders, undefined, (lower) => dropsResponseField(lower, false));
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = (pairs[i] as string).toLowerCase();
    const value = pairs[i + 1] as string;
    const prior = hints[name];
    hints[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return hints;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
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
