import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { GatehouseError, silentLogger, systemClock, type Clock, type Logger } from '../../core/index.js';
import { encodeProxyV2, unmapIpv4 } from '../proxy-protocol/index.js';
import type { L4Client, L4Target, ListenAddress, PickBackend } from './types.js';

export type FlowCloseReason = 'idle' | 'evicted' | 'error' | 'closed';

export interface UdpForwarderOptions<B extends L4Target> {
  listen: ListenAddress;
  pickBackend: PickBackend<B>;
  /** A flow with no datagram either way for this long is forgotten. Default 30 s. */
  idleTimeoutMs?: number;
  /** Flows kept at once; a new client past this evicts the least recently active flow. Default 10 000. */
  maxFlows?: number;
  /** Datagrams held per flow while its upstream socket is still binding. Default 64. */
  maxQueuedPerFlow?: number;
  /** Prepend a PROXY v2 (DGRAM) header to every datagram so the backend learns the client. */
  proxyProtocol?: 'v2';
  clock?: Clock;
  onFlowOpen?: (backend: B, client: L4Client) => void;
  onFlowClose?: (backend: B, client: L4Client, info: { reason: FlowCloseReason; datagramsIn: number; datagramsOut: number }) => void;
  logger?: Logger;
}

export interface UdpForwarderStats {
  flowsOpened: number;
  /** Datagrams dropped: no backend, a full queue while binding. */
  dropped: number;
  evicted: number;
}

export interface UdpForwarder {
  readonly port: number;
  readonly address: string;
  /** Client flows alive right now. */
  readonly flows: number;
  stats(): UdpForwarderStats;
  close(): Promise<void>;
}

interface Flow<B> {
  backend: B;
  client: L4Client;
  upstream: DgramSocket;
  ready: boolean;
  queue: Buffer[];
  lastActive: number;
  datagramsIn: number;
  datagramsOut: number;
  header: Buffer | undefined;
  cancelTimer: () => void;
}

/**
 * UDP datagram forwarding with per-client flows (the note's "datagram" side of L4): each client
 * address:port gets its own connected upstream socket to one backend, so the backend's replies find
 * their way back to that client. Flows expire after idleTimeoutMs on the injected clock.
 */
export async function createUdpForwarder<B extends L4Target>(options: UdpForwarderOptions<B>): Promise<UdpForwarder> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const maxFlows = options.maxFlows ?? 10_000;
  const maxQueued = options.maxQueuedPerFlow ?? 64;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  for (const [name, value] of Object.entries({ idleTimeoutMs, maxFlows, maxQueued })) {
    if (!Number.isInteger(value) || value < 1) throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: `${name} must be an integer ≥ 1.` });
  }
  const host = options.listen.host ?? '0.0.0.0';
  const server = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  const flows = new Map<string, Flow<B>>();
  const stats: UdpForwarderStats = { flowsOpened: 0, dropped: 0, evicted: 0 };

  const closeFlow = (key: string, flow: Flow<B>, reason: FlowCloseReason): void => {
    if (flows.get(key) !== flow) return;
    flows.delete(key);
    flow.cancelTimer();
    try {
      flow.upstream.close();
    } catch {
      // already closed by an error
    }
    options.onFlowClose?.(flow.backend, flow.client, { reason, datagramsIn: flow.datagramsIn, datagramsOut: flow.datagramsOut });
  };

  const armIdle = (key: string, flow: Flow<B>, ms: number): void => {
    flow.cancelTimer = clock.setTimer(ms, () => {
      // One timer per flow, re-armed lazily: traffic only stamps lastActive, it never touches timers.
      const idleFor = clock.now() - flow.lastActive;
      if (idleFor >= idleTimeoutMs) closeFlow(key, flow, 'idle');
      else armIdle(key, flow, idleTimeoutMs - idleFor);
    });
  };

  const evictOldest = (): void => {
    let oldest: [string, Flow<B>] | undefined;
    for (const entry of flows) if (!oldest || entry[1].lastActive < oldest[1].lastActive) oldest = entry;
    if (oldest) {
      stats.evicted++;
      closeFlow(oldest[0], oldest[1], 'evicted');
    }
  };

  /** `replyTo` is the peer as the socket reported it (mapped form on a udp6 socket), `client` as shown to callbacks. */
  const openFlow = (key: string, client: L4Client, replyTo: L4Client): Flow<B> | undefined => {
    let backend: B | null;
    try {
      backend = options.pickBackend(client, { tried: new Set() });
    } catch (error) {
      logger.error({ err: error }, 'pickBackend threw');
      backend = null;
    }
    if (!backend) return undefined;
    if (flows.size >= maxFlows) evictOldest();
    const upstream = createSocket({ type: isIPv6(backend.host) ? 'udp6' : 'udp4' });
    const local = server.address();
    const flow: Flow<B> = {
      backend,
      client,
      upstream,
      ready: false,
      queue: [],
      lastActive: clock.now(),
      datagramsIn: 0,
      datagramsOut: 0,
      header:
        options.proxyProtocol === 'v2'
          ? encodeProxyV2({ transport: 'dgram', source: client, destination: { address: unmapIpv4(local.address), port: local.port } })
          : undefined,
      cancelTimer: () => undefined,
    };
    flows.set(key, flow);
    stats.flowsOpened++;
    upstream.on('error', (error) => {
      // ICMP port unreachable arrives as ECONNREFUSED on a connected socket: the backend is not there.
      logger.debug({ backend: flow.backend.id, err: error.message }, 'udp flow error');
      closeFlow(key, flow, 'error');
    });
    upstream.on('message', (msg) => {
      flow.lastActive = clock.now();
      flow.datagramsOut++;
      server.send(msg, replyTo.port, replyTo.address);
    });
    upstream.connect(backend.port, backend.host, () => {
      flow.ready = true;
      for (const msg of flow.queue.splice(0)) send(flow, msg);
    });
    armIdle(key, flow, idleTimeoutMs);
    options.onFlowOpen?.(backend, client);
    return flow;
  };

  const send = (flow: Flow<B>, msg: Buffer): void => {
    flow.datagramsIn++;
    flow.upstream.send(flow.header ? [flow.header, msg] : msg);
  };

  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    const flow = flows.get(key) ?? openFlow(key, { address: unmapIpv4(rinfo.address), port: rinfo.port }, { address: rinfo.address, port: rinfo.port });
    if (!flow) {
      stats.dropped++;
      return;
    }
    flow.lastActive = clock.now();
    if (flow.ready) send(flow, msg);
    else if (flow.queue.length < maxQueued) flow.queue.push(msg);
    else stats.dropped++;
  });
  server.on('error', (error) => logger.error({ err: error }, 'udp forwarder socket error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind(options.listen.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return {
    port: bound.port,
    address: bound.address,
    get flows() {
      return flows.size;
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const [key, flow] of [...flows]) closeFlow(key, flow, 'closed');
        server.close(() => resolve());
      }),
  };
}
