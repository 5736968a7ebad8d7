import net, { type Socket } from 'node:net';
import type { ErrorCode, Logger } from '../../core/index.js';
import { FAILED, SUCCEEDED, UNCOUNTED, UNREACHABLE, type Pool } from '../pool.js';
import type { Backend, PickContext } from '../types.js';
import { clientAddress } from './headers.js';
import { errorResponse } from './respond.js';

/**
 * The lean L7 path: HTTP/1.1 framed directly on the sockets, with a pool of idle keep-alive upstream
 * connections per backend — no IncomingMessage/ServerResponse objects per request. It takes the
 * common case only (HTTP/1.1 requests without a body, no upgrade, no Expect, not engine.io); at the
 * first request that is anything else the connection is handed, bytes intact, to the node:http proxy,
 * which keeps it from then on. Correctness rules are the same as there: 400 + close on a malformed
 * head, 502/504 for the failing request only, a retry on another backend when connecting fails or a
 * reused connection turns out stale.
 */
export interface FastPathOptions {
  pool: Pool;
  /** Gives the connection to the node:http proxy (with the bytes already read). */
  handOff(socket: Socket, buffered: Buffer): void;
  keyOf(method: string, target: string, headers: Map<string, string>): string | undefined;
  socketioPath: string | false;
  trustForwarded: boolean;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
  retries: number;
  maxIdlePerBackend?: number;
  logger?: Logger;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Request-target in origin or asterisk form, visible ASCII only (absolute form goes to node:http).
const TARGET = /^(\/[\x21-\x7e]*|\*)$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const DROP_REQUEST = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded']);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'upgrade']);
// Idempotent methods (RFC 9110 §9.2.2): the only ones sent again after a backend may have acted on them.
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** What a request carries from one attempt to the next; made only when a first attempt fails. */
interface RetryState {
  tried: Set<string>;
  /** The request already cost one backend a failure; a request counts one failure, however retried. */
  blamed: boolean;
}

interface Head {
  method: string;
  target: string;
  headers: Map<string, string>;
  /** Raw header lines to forward (name: value), end-to-end only. */
  lines: string[];
  close: boolean;
}

type ParseResult = Head | 'handoff' | ErrorCode;

function parseRequestHead(text: string): ParseResult {
  const lines = text.split('\r\n');
  const requestLine = lines[0] ?? '';
  const sp1 = requestLine.indexOf(' ');
  const sp2 = requestLine.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1) return 'GH_BALANCER_BAD_REQUEST';
  const method = requestLine.slice(0, sp1);
  const target = requestLine.slice(sp1 + 1, sp2);
  const version = requestLine.slice(sp2 + 1);
  if (!TOKEN.test(method)) return 'GH_BALANCER_BAD_REQUEST';
  if (version !== 'HTTP/1.1') return version === 'HTTP/1.0' ? 'handoff' : 'GH_BALANCER_BAD_REQUEST';
  if (!TARGET.test(target)) return target.length > 0 && !target.includes(' ') ? 'handoff' : 'GH_BALANCER_BAD_REQUEST';
  const headers = new Map<string, string>();
  // Lines to forward with their lower-cased names (read once here, not again when filtering).
  const forward: string[] = [];
  const forwardNames: string[] = [];
  let connectionTokens: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) return 'GH_BALANCER_BAD_REQUEST';
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return 'GH_BALANCER_BAD_REQUEST';
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return 'GH_BALANCER_BAD_REQUEST';
    const lower = name.toLowerCase();
    const prior = headers.get(lower);
    if (prior !== undefined && (lower === 'content-length' || lower === 'host')) return 'GH_BALANCER_BAD_REQUEST';
    headers.set(lower, prior === undefined ? value : `${prior}, ${value}`);
    if (lower === 'connection') connectionTokens = value.toLowerCase().split(',').map((t) => t.trim());
    if (!DROP_REQUEST.has(lower)) {
      forward.push(line);
      forwardNames.push(lower);
    }
  }
  if (!headers.has('host')) return 'GH_BALANCER_BAD_REQUEST';
  const cl = headers.get('content-length');
  if (cl !== undefined && !/^\d{1,15}$/.test(cl)) return 'GH_BALANCER_BAD_REQUEST';
  // Anything with a body, an upgrade or an expectation takes the full path.
  if ((cl !== undefined && cl !== '0') || headers.has('transfer-encoding') || headers.has('upgrade') || headers.has('expect')) return 'handoff';
  // Headers the Connection header names are hop-by-hop too (RFC 9110 §7.6.1); usually there are none.
  const lines2 = connectionTokens.length === 0 ? forward : forward.filter((_line, i) => !connectionTokens.includes(forwardNames[i] as string));
  return { method, target, headers, lines: lines2, close: connectionTokens.includes('close') };
}

/** Response framing, from the status and headers. */
interface ResponseHead {
  status: number;
  /** Bytes of the rewritten head to send the client. */
  out: string;
  mode: 'none' | 'length' | 'chunked' | 'close';
  length: number;
  upstreamClose: boolean;
}

function parseResponseHead(text: string, method: string, clientClose: boolean): ResponseHead | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const status = Number(m[2]);
  let length = -1;
  let chunked = false;
  let upstreamClose = m[1] === '0';
  const kept: string[] = [];
  const keptNames: string[] = [];
  const named = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const lower = line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(lower)) return undefined;
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return undefined;
    if (lower === 'content-length') {
      if (!/^\d{1,15}$/.test(value) || (length >= 0 && Number(value) !== length)) return undefined;
      length = Number(value);
    } else if (lower === 'transfer-encoding') {
      const codings = value.toLowerCase().split(',').map((t) => t.trim());
      if (codings.at(-1) !== 'chunked') return undefined;
      chunked = true;
    } else if (lower === 'connection') {
      for (const t of value.toLowerCase().split(',')) named.add(t.trim());
      if (named.has('close')) upstreamClose = true;
    }
    if (!DROP_RESPONSE.has(lower)) {
      kept.push(line);
      keptNames.push(lower);
    }
  }
  // An interim response (103 Early Hints, 102) goes to the client as it came, minus hop-by-hop fields;
  // the final response follows on the same connection. 101 is for upgrades, which never come here.
  if (status < 200) return status === 101 ? undefined : { status, out: `${lines[0] as string}\r\n${kept.map((l) => `${l}\r\n`).join('')}\r\n`, mode: 'none', length: 0, upstreamClose: false };
  const noBody = method === 'HEAD' || status === 204 || status === 304;
  const mode: ResponseHead['mode'] = noBody ? 'none' : chunked ? 'chunked' : length >= 0 ? 'length' : 'close';
  const closeClient = clientClose || mode === 'close';
  const headerLines =
    named.size === 0 && !(chunked && length >= 0)
      ? kept
      : kept.filter((_line, i) => {
          const lower = keptNames[i] as string;
          return !(chunked && lower === 'content-length') && !named.has(lower);
        });
  const out = `${lines[0] as string}\r\n${headerLines.join('\r\n')}${headerLines.length ? '\r\n' : ''}${closeClient ? 'Connection: close\r\n' : 'Connection: keep-alive\r\n'}\r\n`;
  return { status, out, mode, length: mode === 'length' ? length : 0, upstreamClose };
}

/** Tracks where a chunked body ends while its bytes are forwarded untouched. */
class ChunkedTracker {
  private state: 'size' | 'ext' | 'sizeLf' | 'data' | 'dataCr' | 'dataLf' | 'trailer' | 'trailerLf' | 'done' = 'size';
  private size = 0;
  private left = 0;
  private digits = 0;
  private trailerLineLen = 0;
  /** Consumes bytes; returns the index just after the body's last byte, -1 if not ended, -2 on garbage. */
  feed(buf: Buffer, from = 0): number {
    for (let i = from; i < buf.length; i++) {
      const c = buf[i] as number;
      switch (this.state) {
        case 'size': {
          const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (v >= 0) {
            if (++this.digits > 12) return -2;
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) return -2;
          else if (c === 13) this.state = 'sizeLf';
          else if (c === 59 || c === 32 || c === 9) this.state = 'ext';
          else return -2;
          break;
        }
        case 'ext':
          if (c === 13) this.state = 'sizeLf';
          break;
        case 'sizeLf':
          if (c !== 10) return -2;
          if (this.size === 0) {
            this.state = 'trailer';
            this.trailerLineLen = 0;
          } else {
            this.state = 'data';
            this.left = this.size;
          }
          break;
        case 'data': {
          const take = Math.min(this.left, buf.length - i);
          this.left -= take;
          i += take - 1;
          if (this.left === 0) this.state = 'dataCr';
          break;
        }
        case 'dataCr':
          if (c !== 13) return -2;
          this.state = 'dataLf';
          break;
        case 'dataLf':
          if (c !== 10) return -2;
          this.state = 'size';
          this.size = 0;
          this.digits = 0;
          break;
        case 'trailer':
          if (c === 13) this.state = 'trailerLf';
          else this.trailerLineLen++;
          break;
        case 'trailerLf':
          if (c !== 10) return -2;
          if (this.trailerLineLen === 0) {
            this.state = 'done';
            return i + 1;
          }
          this.trailerLineLen = 0;
          this.state = 'trailer';
          break;
        case 'done':
          return i;
      }
    }
    return -1;
  }
}

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
  const server = net.createServer({ noDelay: true }, (client) => serve(client));

  function serve(client: Socket): void {
    const clientIp = clientAddress(client.remoteAddress);
    let pending: Buffer = Buffer.alloc(0);
    let busy = false;
    let gone = false;
    let headTimer: NodeJS.Timeout | undefined;
    client.setTimeout(options.keepAliveTimeoutMs, () => {
      if (!busy) client.destroy();
    });
    const fail = (code: ErrorCode): void => {
      gone = true;
      clearTimeout(headTimer);
      if (client.writable) client.end(errorResponse(code, true));
      else client.destroy();
    };
    const onData = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (busy) {
        // Pipelined bytes wait for the response in flight; a client that floods is paused.
        if (pending.length > options.maxHeaderBytes * 4) client.pause();
        return;
      }
      guarded(next);
    };
    // No input may take the process down: a bug met by some byte sequence costs this connection only.
    const guarded = (fn: () => void): void => {
      try {
        fn();
      } catch (error) {
        options.logger?.error({ err: error }, 'balancer: fast path failed; connection closed');
        gone = true;
        client.destroy();
      }
    };
    const onError = (): void => {
      client.destroy();
    };
    // The exchange in flight, told when the client goes away (one listener per connection, not per request).
    let onClientGone: (() => void) | undefined;
    const onClose = (): void => {
      gone = true;
      clearTimeout(headTimer);
      onClientGone?.();
    };
    client.on('data', onData);
    client.on('error', onError);
    client.on('close', onClose);
    clients.set(client, { busy: () => busy });
    client.once('close', () => clients.delete(client));

    const handOff = (): void => {
      gone = true;
      clearTimeout(headTimer);
      client.pause();
      client.off('data', onData);
      client.removeAllListeners('timeout');
      client.setTimeout(0);
      client.off('error', onError);
      client.off('close', onClose);
      const buffered = pending;
      pending = Buffer.alloc(0);
      clients.delete(client);
      options.handOff(client, buffered);
    };

    function next(): void {
      if (gone || busy || pending.length === 0) return;
      const end = pending.indexOf(CRLF2);
      if (end < 0) {
        if (pending.length > options.maxHeaderBytes) return fail('GH_BALANCER_HEADERS_TOO_LARGE');
        // Slowloris: a head must be complete within the headers timeout from its first byte.
        headTimer ??= setTimeout(() => fail('GH_BALANCER_REQUEST_TIMEOUT'), options.headersTimeoutMs);
        return;
      }
      clearTimeout(headTimer);
      headTimer = undefined;
      if (end > options.maxHeaderBytes) return fail('GH_BALANCER_HEADERS_TOO_LARGE');
      // Tolerate the stray CRLF some clients send between requests (RFC 9112 §2.2).
      let start = 0;
      while (pending[start] === 13 && pending[start + 1] === 10) start += 2;
      const parsed = parseRequestHead(pending.toString('latin1', start, end));
      if (parsed === 'handoff') return handOff();
      if (typeof parsed === 'string') return fail(parsed);
      if (options.socketioPath && parsed.target.startsWith(options.socketioPath)) return handOff();
      pending = pending.subarray(end + 4);
      busy = true;
      forward(parsed, options.retries, undefined, 'GH_BALANCER_NO_BACKEND');
    }

    /** `lastFailure` answers the client when a retry finds no untried backend (or no retry budget). */
    function forward(head: Head, left: number, retry: RetryState | undefined, lastFailure: ErrorCode): void {
      const ctx: PickContext = { clientIp, exclude: retry?.tried };
      const key = options.keyOf(head.method, head.target, head.headers);
      if (key !== undefined) ctx.key = key;
      const backend = pool.pick(ctx);
      if (!backend) return respondError(lastFailure, head);
      const host = head.headers.get('host') as string;
      let xff = clientIp;
      let fwd = `for=${clientIp.includes(':') ? `"[${clientIp}]"` : clientIp}`;
      if (options.trustForwarded) {
        const prior = head.headers.get('x-forwarded-for');
        if (prior) xff = `${prior}, ${clientIp}`;
        const priorFwd = head.headers.get('forwarded');
        if (priorFwd) fwd = `${priorFwd}, ${fwd}`;
      }
      fwd += `;host=${TOKEN.test(host) ? host : `"${host.replace(/["\\]/g, '\\$&')}"`};proto=http`;
      const text =
        `${head.method} ${head.target} HTTP/1.1\r\n${head.lines.join('\r\n')}\r\n` +
        `X-Forwarded-For: ${xff}\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: ${host}\r\nForwarded: ${fwd}\r\n\r\n`;
      const chosen = backend;
      pool.acquire(chosen);
      const reused = takeIdle(chosen);
      exchange(head, chosen, reused ?? connectUp(chosen), reused !== undefined, text, left, retry);
    }

    function exchange(head: Head, backend: Backend, up: Upstream, reused: boolean, text: string, left: number, retry: RetryState | undefined): void {
      const upstream = up.socket;
      const started = performance.now();
      let connected = reused;
      let gotHead = false;
      let settled = false;
      let rhead: ResponseHead | undefined;
      let acc: Buffer = Buffer.alloc(0);
      let remaining = 0;
      let chunked: ChunkedTracker | undefined;
      let latency = 0;

      const cleanup = (): void => {
        up.handler = undefined;
        onClientGone = undefined;
        client.removeListener('drain', onDrain);
      };

      const settle = (ok: boolean | null, reuse: boolean): void => {
        if (settled) return;
        settled = true;
        cleanup();
        pool.release(backend, ok === null ? UNCOUNTED : gotHead ? { ok, latencyMs: latency } : ok ? SUCCEEDED : FAILED);
        if (reuse && !upstream.destroyed) putIdle(backend, up);
        else upstream.destroy();
      };

      /** Before any response byte went to the client: retry, or answer with a coded error. */
      const failEarly = (code: ErrorCode, countAsFailure: boolean): void => {
        if (settled) return;
        settled = true;
        cleanup();
        upstream.destroy();
        const stale = reused && !gotHead && code === 'GH_BALANCER_BAD_GATEWAY';
        // Not reaching a backend is that backend's failure whatever the request; a failure once the
        // request was sent may be the request's doing, so it is counted once per request, not per try.
        const blame = countAsFailure && !stale && !gone && (!connected || !retry?.blamed);
        pool.release(backend, !blame ? UNCOUNTED : connected ? FAILED : UNREACHABLE);
        if (gone) return;
        const again = left > 0 && (!connected || (REPLAYABLE.has(head.method) && code !== 'GH_BALANCER_GATEWAY_TIMEOUT'));
        if (again) {
          const next = retry ?? { tried: new Set<string>(), blamed: false };
          next.tried.add(backend.id);
          if (blame && connected) next.blamed = true;
          forward(head, left - 1, next, code);
          return;
        }
        respondError(code, head);
      };

      const done = (): void => {
        const closeClient = head.close || rhead?.mode === 'close' || closing;
        settle(true, !(rhead?.upstreamClose ?? true) && rhead?.mode !== 'close');
        busy = false;
        if (closeClient) {
          gone = true;
          client.end();
          return;
        }
        client.resume();
        if (pending.length > 0) setImmediate(() => guarded(next));
      };

      const sendBody = (buf: Buffer): boolean => {
        // Returns true when the response is complete.
        if (!rhead) return false;
        if (rhead.mode === 'none') return true;
        if (rhead.mode === 'close') {
          if (buf.length) writeClient(buf);
          return false;
        }
        if (rhead.mode === 'length') {
          const take = Math.min(remaining, buf.length);
          if (take > 0) writeClient(take === buf.length ? buf : buf.subarray(0, take));
          remaining -= take;
          // Bytes past the declared length: this connection's framing cannot be trusted again.
          if (take < buf.length) rhead.upstreamClose = true;
          return remaining === 0;
        }
        const endAt = (chunked as ChunkedTracker).feed(buf);
        if (endAt === -2) {
          settle(false, false);
          client.destroy();
          gone = true;
          return false;
        }
        writeClient(endAt >= 0 ? buf.subarray(0, endAt) : buf);
        return endAt >= 0;
      };

      const writeClient = (buf: Buffer | string): void => {
        if (!client.write(buf)) {
          upstream.pause();
          client.once('drain', onDrain);
        }
      };
      const onDrain = (): void => {
        upstream.resume();
      };

      const onUpData = (chunk: Buffer): void => {
        if (settled) return;
        try {
          onUpBytes(chunk);
        } catch (error) {
          options.logger?.error({ err: error }, 'balancer: fast path failed on a response; connection closed');
          settle(false, false);
          gone = true;
          client.destroy();
        }
      };
      const onUpBytes = (chunk: Buffer): void => {
        if (!gotHead) {
          acc = acc.length === 0 ? chunk : Buffer.concat([acc, chunk]);
          const end = acc.indexOf(CRLF2);
          if (end < 0) {
            if (acc.length > 64 * 1024) failEarly('GH_BALANCER_BAD_GATEWAY', true);
            return;
          }
          const parsed = parseResponseHead(acc.toString('latin1', 0, end), head.method, head.close);
          if (!parsed) return failEarly('GH_BALANCER_BAD_GATEWAY', true);
          if (parsed.status < 200) {
            writeClient(Buffer.from(parsed.out, 'latin1'));
            const after = acc.subarray(end + 4);
            acc = Buffer.alloc(0);
            if (after.length > 0) onUpBytes(after);
            return;
          }
          gotHead = true;
          latency = performance.now() - started;
          rhead = parsed;
          remaining = parsed.length;
          if (parsed.mode === 'chunked') chunked = new ChunkedTracker();
          const rest = acc.subarray(end + 4);
          acc = Buffer.alloc(0);
          if (parsed.mode === 'length') {
            // The common case: head and (part of) a sized body in one buffer, one write system call
            // (a corked string + buffer pair costs a writev and more JavaScript on Node's side).
            const take = Math.min(remaining, rest.length);
            const headLen = Buffer.byteLength(parsed.out, 'latin1');
            const out = Buffer.allocUnsafe(headLen + take);
            out.write(parsed.out, 0, 'latin1');
            rest.copy(out, headLen, 0, take);
            remaining -= take;
            if (take < rest.length) parsed.upstreamClose = true;
            writeClient(out);
            if (remaining === 0) done();
            return;
          }
          // The head was read as latin1, so it goes back out as latin1 (obs-text bytes kept as they came).
          writeClient(Buffer.from(parsed.out, 'latin1'));
          if (parsed.mode === 'none' || sendBody(rest)) done();
          return;
        }
        if (sendBody(chunk)) done();
      };

      const onUpEnd = (): void => {
        if (settled) return;
        if (!gotHead) return failEarly('GH_BALANCER_BAD_GATEWAY', !reused);
        if (rhead?.mode === 'close') {
          settle(true, false);
          busy = false;
          gone = true;
          client.end();
          return;
        }
        // Cut short mid-body: the client can only learn it by the connection closing.
        settle(false, false);
        gone = true;
        client.destroy();
      };
      // The socket's inactivity timeout stands in for a per-request timer: while connecting it is the
      // connect timeout, then the response timeout, which only matters until the head arrived.
      const onUpTimeout = (): void => {
        if (!gotHead) failEarly('GH_BALANCER_GATEWAY_TIMEOUT', true);
      };
      // A client that leaves says nothing about the backend.
      onClientGone = (): void => {
        if (!settled) settle(null, false);
      };
      up.handler = { data: onUpData, end: onUpEnd, timeout: onUpTimeout };

      const send = (): void => {
        if (up.timeoutMs !== options.responseTimeoutMs) {
          up.timeoutMs = options.responseTimeoutMs;
          upstream.setTimeout(options.responseTimeoutMs);
        }
        upstream.write(text, 'latin1');
      };
      if (connected) send();
      else {
        upstream.once('connect', () => {
          connected = true;
          if (!settled) send();
        });
      }
    }

    function respondError(code: ErrorCode, head: Head): void {
      busy = false;
      if (gone) return;
      client.write(errorResponse(code, head.close));
      if (head.close) {
        gone = true;
        client.end();
        return;
      }
      if (pending.length > 0) setImmediate(() => guarded(next));
    }
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
