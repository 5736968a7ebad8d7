import net, { type Socket } from 'node:net';
import type { ErrorCode, Logger } from '../../core/index.js';
import { FAILED, SUCCEEDED, UNCOUNTED, UNREACHABLE, type Pool } from '../pool.js';
import type { Backend, PickContext } from '../types.js';
import { CHUNKED_GARBAGE, CHUNKED_MORE } from './chunked.js';
import { clientAddress, forwardingLines, listenerAuthority } from './headers.js';
import { DEFAULT_REQUEST_LIMITS, isReplayable, parseRequestHead, type RequestHead, type RequestLimits } from './request-head.js';
import { bodyEndFinder, parseResponseHead, renderResponseHead, type ResponseHead } from './response-head.js';
import { errorResponse } from './respond.js';

/**
 * The lean L7 path: HTTP/1.1 framed directly on the sockets, with a pool of idle keep-alive upstream
 * connections per backend — no IncomingMessage/ServerResponse objects per request. It takes the
 * common case only (HTTP/1.1 requests without a body, no upgrade, no Expect, not engine.io); at the
 * first request that is anything else the connection is handed, bytes intact, to the node:http proxy,
 * which keeps it from then on. Every head is checked by the shared rules (request-head.ts) before
 * that choice, so an ambiguous request is refused here and never handed on. Correctness rules are the
 * same as there: 400 + close on a malformed head, 502/504 for the failing request only, a retry on
 * another backend when connecting fails or a reused connection turns out stale.
 */
export interface FastPathOptions {
  pool: Pool;
  /** Gives the connection to the node:http proxy (with the bytes already read, and whether the client already ended its side). */
  handOff(socket: Socket, buffered: Buffer, ended: boolean): void;
  keyOf(method: string, target: string, headers: Map<string, string>): string | undefined;
  socketioPath: string | false;
  trustForwarded: boolean;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
  limits?: RequestLimits;
  retries: number;
  maxIdlePerBackend?: number;
  logger?: Logger;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** What a request carries from one attempt to the next; made only when a first attempt fails. */
interface RetryState {
  tried: Set<string>;
  /** The request already cost one backend a failure; a request counts one failure, however retried. */
  blamed: boolean;
}

/**
 * Where a client connection is; exactly one at a time. `idle`: between requests; `head`: part of a
 * head has arrived (the headers timeout runs); `forwarding`: one exchange in flight, later bytes wait;
 * `closed`: done, nothing more is read or answered; `handed-off`: node:http owns the socket now.
 */
type ClientState = 'idle' | 'head' | 'forwarding' | 'closed' | 'handed-off';

/**
 * Where one exchange is; exactly one at a time. `connecting`: a new upstream connection is being made;
 * `waiting`: the request went out, no final response head yet (a failure here may be retried);
 * `body`: the head went to the client and the body follows; `over`: the backend's outcome is counted.
 */
type ExchangePhase = 'connecting' | 'waiting' | 'body' | 'over';

/** The body-end finder of the response in flight (response-head.ts), none before its head. */
type BodyEnd = (buf: Buffer) => number;
const noBodyYet: BodyEnd = () => CHUNKED_MORE;
const EMPTY = Buffer.alloc(0);

/** The exchange currently using an upstream connection. */
interface UpHandler {
  data(chunk: Buffer): void;
  end(): void;
  timeout(): void;
}

interface Upstream {
  socket: Socket;
  backendId: string;
  handler: UpHandler | undefined;
  /** The socket's current inactivity timeout, so it is only re-armed when the value changes. */
  timeoutMs: number;
}

export interface FastPath {
  readonly server: net.Server;
  /** Closes connections between requests now, and the others once their response is done. */
  closeIdle(): void;
  destroyAll(): void;
}

export function createFastPath(options: FastPathOptions): FastPath {
  const { pool } = options;
  const idle = new Map<string, Socket[]>();
  const maxIdle = options.maxIdlePerBackend ?? 128;

  // Each upstream socket gets its listeners once, for its whole life; they call whichever exchange
  // holds it now, or drop it when it is idle. Adding and removing four listeners per request and
  // arming a timer per request cost more than the proxying itself.
  const upOf = new WeakMap<Socket, Upstream>();
  const readBuffer = Buffer.allocUnsafe(64 * 1024);
  const dropIdle = (up: Upstream): void => {
    const list = idle.get(up.backendId);
    const i = list ? list.indexOf(up.socket) : -1;
    if (i >= 0) list!.splice(i, 1);
    up.socket.destroy();
  };
  const connectUp = (backend: Backend): Upstream => {
    // onread reads into one shared buffer and skips the Readable stream machinery; each read is
    // copied out at once (into Node's small-buffer pool), so no later read can overwrite queued bytes.
    const onread = {
      buffer: readBuffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        const chunk = Buffer.allocUnsafe(n);
        chunk.set(buf.subarray(0, n));
        if (up.handler) up.handler.data(chunk);
        else dropIdle(up);
        return true;
      },
    };
    const socket = net.connect({ host: backend.host, port: backend.port, noDelay: true, onread });
    const up: Upstream = { socket, backendId: backend.id, handler: undefined, timeoutMs: options.connectTimeoutMs };
    socket.setTimeout(options.connectTimeoutMs);
    const gone = (): void => (up.handler ? up.handler.end() : dropIdle(up));
    // An idle upstream connection that speaks or closes is unusable.
    socket.on('end', gone);
    socket.on('close', gone);
    socket.on('error', gone);
    socket.on('timeout', () => up.handler?.timeout());
    upOf.set(socket, up);
    return up;
  };
  const takeIdle = (backend: Backend): Upstream | undefined => {
    const list = idle.get(backend.id);
    while (list && list.length > 0) {
      const socket = list.pop() as Socket;
      if (!socket.destroyed && socket.writable) return upOf.get(socket);
      socket.destroy();
    }
    return undefined;
  };
  const putIdle = (backend: Backend, up: Upstream): void => {
    up.handler = undefined;
    let list = idle.get(backend.id);
    if (!list) idle.set(backend.id, (list = []));
    if (list.length >= maxIdle || !pool.get(backend.id)) {
      up.socket.destroy();
      return;
    }
    list.push(up.socket);
  };

  const clients = new Map<Socket, { busy: () => boolean }>();
  let closing = false;
  const limits = options.limits ?? DEFAULT_REQUEST_LIMITS;
  // Half-open: a client may end its side after its last request and still read the answers.
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => serve(client));

  function serve(client: Socket): void {
    const clientIp = clientAddress(client.remoteAddress);
    const fallbackHost = listenerAuthority(client.localAddress, client.localPort);
    let pending: Buffer = Buffer.alloc(0);
    let state: ClientState = 'idle';
    /** The client ended its side: answer what is complete, then close. */
    let inputEnded = false;
    let headTimer: NodeJS.Timeout | undefined;
    // The forwarding lines depend on the client (fixed for the connection) and the request's authority
    // (nearly always the same on one connection): the last ones are kept, unless incoming values count.
    let forwardedHost: string | undefined;
    let forwardedLines = '';
    const forwardingOf = (head: RequestHead): string => {
      if (!options.trustForwarded && head.host === forwardedHost) return forwardedLines;
      const lines = forwardingLines({
        clientIp,
        proto: 'http',
        host: head.host,
        trustIncoming: options.trustForwarded,
        priorForwardedFor: head.headers.get('x-forwarded-for'),
        priorForwarded: head.headers.get('forwarded'),
      });
      if (!options.trustForwarded) {
        forwardedHost = head.host;
        forwardedLines = lines;
      }
      return lines;
    };
    // Idle between requests this long: closed. A head in progress has its own timer (408).
    client.setTimeout(options.keepAliveTimeoutMs, () => {
      if (state === 'idle') close();
    });
    const close = (): void => {
      state = 'closed';
      clearTimeout(headTimer);
      client.destroy();
    };
    /** Answers with a coded error and closes: the bytes after a bad head cannot be framed. */
    const fail = (code: ErrorCode): void => {
      state = 'closed';
      clearTimeout(headTimer);
      if (client.writable) client.end(errorResponse(code, true));
      else client.destroy();
    };
    const onData = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (state === 'forwarding') {
        // Pipelined bytes wait for the response in flight; a client that floods is paused.
        if (pending.length > options.maxHeaderBytes * 4) client.pause();
        return;
      }
      guarded(next);
    };
    const onEnd = (): void => {
      inputEnded = true;
      if (state !== 'forwarding') guarded(next);
    };
    // No input may take the process down: a bug met by some byte sequence costs this connection only.
    const guarded = (fn: () => void): void => {
      try {
        fn();
      } catch (error) {
        options.logger?.error({ err: error }, 'balancer: fast path failed; connection closed');
        close();
      }
    };
    const onError = (): void => {
      client.destroy();
    };
    // The exchange in flight, told when the client goes away (one listener per connection, not per request).
    let onClientGone: (() => void) | undefined;
    const onClose = (): void => {
      state = 'closed';
      clearTimeout(headTimer);
      onClientGone?.();
    };
    client.on('data', onData);
    client.on('end', onEnd);
    client.on('error', onError);
    client.on('close', onClose);
    clients.set(client, { busy: () => state === 'forwarding' });
    client.once('close', () => clients.delete(client));

    const handOff = (): void => {
      state = 'handed-off';
      clearTimeout(headTimer);
      client.pause();
      client.off('data', onData);
      client.off('end', onEnd);
      client.removeAllListeners('timeout');
      client.setTimeout(0);
      client.off('error', onError);
      client.off('close', onClose);
      const buffered = pending;
      pending = Buffer.alloc(0);
      clients.delete(client);
      options.handOff(client, buffered, inputEnded);
    };

    /** Reads the next head from `pending`, when there is no exchange in flight. */
    function next(): void {
      if (state === 'closed' || state === 'handed-off' || state === 'forwarding') return;
      // Tolerate the stray CRLF some clients send between requests (RFC 9112 §2.2).
      let start = 0;
      while (pending[start] === 13 && pending[start + 1] === 10) start += 2;
      if (start > 0) pending = pending.subarray(start);
      if (pending.length === 0) {
        state = 'idle';
        if (inputEnded) client.end();
        return;
      }
      const end = pending.indexOf(CRLF2);
      if (end < 0) {
        const lineEnd = pending.indexOf(10);
        if ((lineEnd < 0 ? pending.length : lineEnd) > limits.maxRequestLineBytes) return fail('GH_BALANCER_URI_TOO_LONG');
        if (pending.length > options.maxHeaderBytes) return fail('GH_BALANCER_HEADERS_TOO_LARGE');
        // A line ending in a bare LF never completes a head here; say so now rather than at the timeout.
        if (hasBareLf(pending)) return fail('GH_BALANCER_BAD_REQUEST');
        if (inputEnded) return fail('GH_BALANCER_BAD_REQUEST');
        // Slowloris: a head must be complete within the headers timeout from its first byte.
        if (state !== 'head') {
          state = 'head';
          headTimer = setTimeout(() => fail('GH_BALANCER_REQUEST_TIMEOUT'), options.headersTimeoutMs);
        }
        return;
      }
      clearTimeout(headTimer);
      headTimer = undefined;
      if (end > options.maxHeaderBytes) return fail('GH_BALANCER_HEADERS_TOO_LARGE');
      const parsed = parseRequestHead(pending.toString('latin1', 0, end), fallbackHost, limits);
      if (typeof parsed === 'string') return fail(parsed);
      // Anything with a body, an upgrade, an expectation or HTTP/1.0 framing takes the full path.
      if (parsed.framing.kind !== 'none' || parsed.upgrade || parsed.expectContinue || parsed.version !== '1.1') return handOff();
      if (options.socketioPath && parsed.target.startsWith(options.socketioPath)) return handOff();
      pending = pending.subarray(end + 4);
      state = 'forwarding';
      forward(parsed, options.retries, undefined, 'GH_BALANCER_NO_BACKEND');
    }

    /** The exchange is over and the connection stays: read the next request, or close if the client is done. */
    function ready(): void {
      state = 'idle';
      client.resume();
      if (pending.length > 0 || inputEnded) setImmediate(() => guarded(next));
    }

    /** `lastFailure` answers the client when a retry finds no untried backend (or no retry budget). */
    function forward(head: RequestHead, left: number, retry: RetryState | undefined, lastFailure: ErrorCode): void {
      const ctx: PickContext = { clientIp, exclude: retry?.tried };
      const key = options.keyOf(head.method, head.target, head.headers);
      if (key !== undefined) ctx.key = key;
      const backend = pool.pick(ctx);
      if (!backend) return respondError(lastFailure, head);
      const forwarding = forwardingOf(head);
      const fields = head.lines.length > 0 ? `${head.lines.join('\r\n')}\r\n` : '';
      const text = `${head.method} ${head.target} HTTP/1.1\r\n${fields}${forwarding}\r\n`;
      const chosen = backend;
      pool.acquire(chosen);
      const reused = takeIdle(chosen);
      exchange(head, chosen, reused ?? connectUp(chosen), reused !== undefined, text, left, retry);
    }

    function exchange(head: RequestHead, backend: Backend, up: Upstream, reused: boolean, text: string, left: number, retry: RetryState | undefined): void {
      const upstream = up.socket;
      const started = performance.now();
      let phase: ExchangePhase = reused ? 'waiting' : 'connecting';
      let rhead: ResponseHead | undefined;
      let endOf: BodyEnd = noBodyYet;
      let acc: Buffer = EMPTY;
      let latency = 0;

      const cleanup = (): void => {
        up.handler = undefined;
        onClientGone = undefined;
        client.removeListener('drain', onDrain);
      };

      const settle = (ok: boolean | null, reuse: boolean): void => {
        if (phase === 'over') return;
        const hadHead = phase === 'body';
        phase = 'over';
        cleanup();
        pool.release(backend, ok === null ? UNCOUNTED : hadHead ? { ok, latencyMs: latency } : ok ? SUCCEEDED : FAILED);
        if (reuse && !upstream.destroyed) putIdle(backend, up);
        else upstream.destroy();
      };

      /** Before any response byte went to the client: retry, or answer with a coded error. */
      const failEarly = (code: ErrorCode, countAsFailure: boolean): void => {
        if (phase === 'over' || phase === 'body') return;
        const connected = phase === 'waiting';
        phase = 'over';
        cleanup();
        upstream.destroy();
        const stale = reused && code === 'GH_BALANCER_BAD_GATEWAY';
        // Not reaching a backend is that backend's failure whatever the request; a failure once the
        // request was sent may be the request's doing, so it is counted once per request, not per try.
        const closed = state === 'closed';
        const blame = countAsFailure && !stale && !closed && (!connected || !retry?.blamed);
        pool.release(backend, !blame ? UNCOUNTED : connected ? FAILED : UNREACHABLE);
        if (closed) return;
        const again = left > 0 && (!connected || (isReplayable(head.method) && code !== 'GH_BALANCER_GATEWAY_TIMEOUT'));
        if (again) {
          const next = retry ?? { tried: new Set<string>(), blamed: false };
          next.tried.add(backend.id);
          if (blame && connected) next.blamed = true;
          forward(head, left - 1, next, code);
          return;
        }
        respondError(code, head);
      };

      /** The response went out whole. */
      const done = (): void => {
        const response = rhead as ResponseHead;
        const closeClient = head.close || response.mode === 'close' || closing;
        settle(true, !response.upstreamClose && response.mode !== 'close');
        if (closeClient) {
          state = 'closed';
          client.end();
          return;
        }
        ready();
      };

      /** A response cut short: the client can only learn it by the connection closing. */
      const abort = (): void => {
        settle(false, false);
        close();
      };

      /**
       * Where the body ends in `buf`, by the shared body-end finder: -1 while it goes on, CHUNKED_GARBAGE
       * when broken. Bytes after the end mean this connection's framing cannot be trusted again.
       */
      const bodyEnd = (buf: Buffer): number => {
        const at = endOf(buf);
        if (at >= 0 && at < buf.length) (rhead as ResponseHead).upstreamClose = true;
        return at;
      };
      /** How many bytes of `buf` to pass on for a body end `at`. */
      const bodyBytes = (buf: Buffer, at: number): number => (at === CHUNKED_MORE ? buf.length : at === CHUNKED_GARBAGE ? 0 : at);

      const writeClient = (buf: Buffer): void => {
        if (!client.write(buf)) {
          upstream.pause();
          client.once('drain', onDrain);
        }
      };
      const onDrain = (): void => {
        upstream.resume();
      };

      const onUpData = (chunk: Buffer): void => {
        if (phase === 'over') return;
        try {
          onUpBytes(chunk);
        } catch (error) {
          options.logger?.error({ err: error }, 'balancer: fast path failed on a response; connection closed');
          abort();
        }
      };
      const onUpBytes = (chunk: Buffer): void => {
        if (phase === 'body') {
          const at = bodyEnd(chunk);
          const n = bodyBytes(chunk, at);
          if (n > 0) writeClient(n === chunk.length ? chunk : chunk.subarray(0, n));
          if (at === CHUNKED_GARBAGE) abort();
          else if (at >= 0) done();
          return;
        }
        acc = acc.length === 0 ? chunk : Buffer.concat([acc, chunk]);
        for (;;) {
          const end = acc.indexOf(CRLF2);
          if (end < 0) {
            if (acc.length > 64 * 1024) failEarly('GH_BALANCER_BAD_GATEWAY', true);
            return;
          }
          const parsed = parseResponseHead(acc.toString('latin1', 0, end), head.method);
          // Malformed, or a 101 to a request that asked for no upgrade: a bad gateway, never a 503.
          if (!parsed || parsed.status === 101) return failEarly('GH_BALANCER_BAD_GATEWAY', true);
          const rest = acc.subarray(end + 4);
          if (parsed.status < 200) {
            // An interim response (100, 103 Early Hints) goes to the client as is; the final one follows.
            writeClient(Buffer.from(renderResponseHead(parsed, false), 'latin1'));
            acc = rest;
            continue;
          }
          phase = 'body';
          latency = performance.now() - started;
          rhead = parsed;
          endOf = bodyEndFinder(parsed);
          acc = EMPTY;
          // The head was read as latin1, so it goes back out as latin1 (obs-text bytes kept as they came).
          const out = renderResponseHead(parsed, head.close || parsed.mode === 'close' || closing);
          const at = bodyEnd(rest);
          const n = bodyBytes(rest, at);
          // Head and (part of) the body in one buffer, one write system call (a corked string + buffer
          // pair costs a writev and more JavaScript on Node's side).
          const buf = Buffer.allocUnsafe(out.length + n);
          buf.write(out, 0, 'latin1');
          rest.copy(buf, out.length, 0, n);
          writeClient(buf);
          if (at === CHUNKED_GARBAGE) abort();
          else if (at >= 0) done();
          return;
        }
      };

      const onUpEnd = (): void => {
        if (phase === 'over') return;
        if (phase !== 'body') return failEarly('GH_BALANCER_BAD_GATEWAY', !reused);
        if (rhead?.mode === 'close') {
          settle(true, false);
          state = 'closed';
          client.end();
          return;
        }
        abort();
      };
      // The socket's inactivity timeout stands in for a per-request timer: while connecting it is the
      // connect timeout, then the response timeout, which only matters until the head arrived.
      const onUpTimeout = (): void => failEarly('GH_BALANCER_GATEWAY_TIMEOUT', true);
      // A client that leaves says nothing about the backend.
      onClientGone = (): void => settle(null, false);
      up.handler = { data: onUpData, end: onUpEnd, timeout: onUpTimeout };

      const send = (): void => {
        if (up.timeoutMs !== options.responseTimeoutMs) {
          up.timeoutMs = options.responseTimeoutMs;
          upstream.setTimeout(options.responseTimeoutMs);
        }
        upstream.write(text, 'latin1');
      };
      if (phase === 'waiting') send();
      else {
        upstream.once('connect', () => {
          if (phase !== 'connecting') return;
          phase = 'waiting';
          send();
        });
      }
    }

    function respondError(code: ErrorCode, head: RequestHead): void {
      if (state === 'closed') return;
      client.write(errorResponse(code, head.close));
      if (head.close) {
        state = 'closed';
        client.end();
        return;
      }
      ready();
    }
  }

  /** True when a line in `buf` ends in LF without CR (before any CRLF CRLF, which the caller looked for). */
  function hasBareLf(buf: Buffer): boolean {
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) if (i === 0 || buf[i - 1] !== 13) return true;
    return false;
  }

  const dropIdleUpstreams = (): void => {
    for (const list of idle.values()) for (const s of [...list]) s.destroy();
    idle.clear();
  };
  server.on('close', dropIdleUpstreams);
  pool.on('removed', (backend: Backend) => {
    for (const s of idle.get(backend.id) ?? []) s.destroy();
    idle.delete(backend.id);
  });
  return {
    server,
    closeIdle() {
      closing = true;
      for (const [client, state] of clients) if (!state.busy()) client.destroy();
      dropIdleUpstreams();
    },
    destroyAll() {
      for (const client of clients.keys()) client.destroy();
      dropIdleUpstreams();
    },
  };
}
