import { createServer, connect, type Server, type Socket } from 'node:net';
import { GatehouseError, silentLogger, type Logger } from '../../core/index.js';
import { encodeProxyV1, encodeProxyV2, readProxyHeader, unmapIpv4, type ProxyEndpoint } from '../proxy-protocol/index.js';
import type { L4Client, L4Target, ListenAddress, PickBackend } from './types.js';

export interface TcpProxyOptions<B extends L4Target> {
  listen: ListenAddress;
  pickBackend: PickBackend<B>;
  /** The upstream connection is established (count it as active). */
  onConnect?: (backend: B, client: L4Client) => void;
  /** An upstream connection that onConnect announced has closed; `ok` is false when it ended in an error or timeout. */
  onClose?: (backend: B, client: L4Client, info: { ok: boolean; bytesIn: number; bytesOut: number }) => void;
  /** Connecting to `backend` failed (refused, unreachable, timed out): passive health counts these. */
  onConnectFailed?: (backend: B, error: Error) => void;
  /** Send a PROXY header to each backend so it learns the real client address. */
  proxyProtocol?: 'v1' | 'v2';
  /** Require a PROXY header (v1 or v2) from a balancer in front and use the client address it names. */
  acceptProxyProtocol?: boolean;
  /** Default 5 s. */
  connectTimeoutMs?: number;
  /** A connection with no traffic either way for this long is closed. Default 5 min; 0 = never. */
  idleTimeoutMs?: number;
  /** How long a client has to send its PROXY header in accept mode. Default 5 s. */
  proxyHeaderTimeoutMs?: number;
  /** Backends tried per client connection when connecting fails (nothing was sent yet). Default 3. */
  maxAttempts?: number;
  /** Client connections above this are refused by the kernel-level accept. Default unlimited. */
  maxConnections?: number;
  /** Socket buffer high-water mark, bytes. Default 256 KiB: fewer pause/resume rounds under load. */
  highWaterMark?: number;
  logger?: Logger;
}

export interface TcpProxyStats {
  accepted: number;
  /** Clients closed because no backend could take them (none picked, or every attempt failed). */
  refused: number;
  connectFailures: number;
  /** Clients dropped in accept mode for a missing, malformed or late PROXY header. */
  badProxyHeaders: number;
}

export interface TcpProxy {
  readonly port: number;
  readonly address: string;
  /** Client connections open right now. */
  readonly connections: number;
  stats(): TcpProxyStats;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

const endpointOf = (address: string | undefined, port: number | undefined): ProxyEndpoint => ({ address: unmapIpv4(address ?? ''), port: port ?? 0 });

/**
 * An L4 TCP proxy on node:net: each client connection is paused on accept, joined to one backend
 * connection (the next backend is tried while nothing has been sent), then bytes are forwarded both
 * ways with backpressure and half-close. Any error on either side closes both; nothing throws out.
 */
export async function createTcpProxy<B extends L4Target>(options: TcpProxyOptions<B>): Promise<TcpProxy> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const highWaterMark = options.highWaterMark ?? 256 * 1024;
  const logger = options.logger ?? silentLogger();
  for (const [name, value] of Object.entries({ connectTimeoutMs, idleTimeoutMs, maxAttempts, highWaterMark })) {
    if (!Number.isFinite(value) || value < 0) throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: `${name} must be a number ≥ 0.` });
  }
  const stats: TcpProxyStats = { accepted: 0, refused: 0, connectFailures: 0, badProxyHeaders: 0 };
  const open = new Set<Socket>();
  const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true, highWaterMark }, (client) => {
    stats.accepted++;
    open.add(client);
    client.on('close', () => open.delete(client));
    void handle(client);
  });
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  server.on('error', (error) => logger.error({ err: error }, 'tcp proxy listener error'));

  async function handle(client: Socket): Promise<void> {
    let clientClosed = false;
    client.on('error', () => client.destroy());
    client.once('close', () => (clientClosed = true));
    let source = endpointOf(client.remoteAddress, client.remotePort);
    let destination = endpointOf(client.localAddress, client.localPort);
    let early: Buffer = Buffer.alloc(0);
    if (options.acceptProxyProtocol) {
      try {
        const { header, rest } = await readProxyHeader(client, { timeoutMs: options.proxyHeaderTimeoutMs ?? 5_000 });
        if (header.command === 'proxy' && header.source && header.destination && header.family !== 'unix') {
          source = header.source;
          destination = header.destination;
        }
        early = rest;
      } catch (error) {
        stats.badProxyHeaders++;
        logger.debug({ err: error, client: source.address }, 'PROXY header refused');
        client.destroy();
        return;
      }
      if (clientClosed) return;
    }
    const clientInfo: L4Client = { address: source.address, port: source.port };
    const header =
      options.proxyProtocol === 'v1'
        ? encodeProxyV1({ source, destination })
        : options.proxyProtocol === 'v2'
          ? encodeProxyV2({ source, destination })
          : undefined;
    const first = header ? Buffer.concat([header, early]) : early;
    const tried = new Set<string>();

    const attempt = (): void => {
      if (clientClosed) return;
      let backend: B | null;
      try {
        backend = tried.size < maxAttempts ? options.pickBackend(clientInfo, { tried }) : null;
      } catch (error) {
        logger.error({ err: error }, 'pickBackend threw');
        backend = null;
      }
      if (!backend || tried.has(backend.id)) {
        stats.refused++;
        client.destroy();
        return;
      }
      tried.add(backend.id);
      const target = backend;
      // highWaterMark reaches the socket's Duplex at run time; @types/node 20 does not list it for connect().
      const sink: { client?: Socket } = {};
      const connectOptions = {
        host: target.host,
        port: target.port,
        allowHalfOpen: true,
        noDelay: true,
        highWaterMark,
        // Backend → client bytes skip the Readable machinery: the kernel reads into one buffer shared by
        // every upstream socket and the callback hands a copy to the client at once (false = pause).
        onread: { buffer: sharedReadBuffer, callback: (n: number, buf: Buffer) => (sink.client ? sink.client.write(Buffer.from(buf.subarray(0, n))) : false) },
      };
      const upstream = connect(connectOptions);
      let connected = false;
      const failConnect = (error: Error): void => {
        if (connected) return;
        connected = true; // one failure per attempt, whichever of error/timeout came first
        upstream.destroy();
        stats.connectFailures++;
        logger.debug({ backend: target.id, err: error.message }, 'backend connect failed');
        options.onConnectFailed?.(target, error);
        attempt();
      };
      const onClientGone = (): void => {
        upstream.destroy();
      };
      client.once('close', onClientGone);
      upstream.setTimeout(connectTimeoutMs || 0);
      upstream.once('timeout', () => failConnect(new Error('connect timeout')));
      upstream.once('error', failConnect);
      upstream.once('connect', () => {
        if (connected) return;
        connected = true;
        client.off('close', onClientGone);
        upstream.off('error', failConnect);
        upstream.removeAllListeners('timeout');
        sink.client = client;
        join(client, upstream, target, clientInfo, first);
      });
    };
    attempt();
  }

  function join(client: Socket, upstream: Socket, backend: B, clientInfo: L4Client, first: Buffer): void {
    // Only the backend's side going wrong (reset, garbage close, idle) counts against the backend.
    let backendFailed = false;
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
    };
    const backendFailure = (): void => {
      backendFailed = true;
      teardown();
    };
    client.setTimeout(idleTimeoutMs);
    upstream.setTimeout(idleTimeoutMs);
    client.on('timeout', teardown);
    client.on('error', teardown);
    upstream.on('timeout', backendFailure);
    upstream.on('error', backendFailure);
    if (first.length > 0) upstream.write(first);
    forward(client, upstream);
    // Data flows through onread; only pause/resume and the half-close remain to wire.
    client.on('drain', () => upstream.resume());
    if (upstream.readableEnded) client.end();
    else upstream.on('end', () => client.end());
    // A side that closed without a clean EOF both ways (reset, destroy) takes the other down with it;
    // after a clean close the other side only flushes what it still holds.
    client.on('close', () => {
      if (!client.readableEnded || !upstream.readableEnded) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!upstream.readableEnded || !client.readableEnded) client.destroy();
      options.onClose?.(backend, clientInfo, { ok: !backendFailed, bytesIn: upstream.bytesWritten, bytesOut: upstream.bytesRead });
    });
    options.onConnect?.(backend, clientInfo);
    client.resume();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.listen.host ?? '0.0.0.0', port: options.listen.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: 'The TCP proxy must listen on a TCP port.' });

  return {
    port: address.port,
    address: address.address,
    get connections() {
      return open.size;
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}

/** Bytes from `from` to `to` with backpressure; `from`'s EOF becomes `to`'s half-close. */
function forward(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  // A client that sent its PROXY header, data and FIN at once has already ended by the time we join.
  if (from.readableEnded) to.end();
  else from.on('end', () => to.end());
}
