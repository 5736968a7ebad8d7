import cluster from 'node:cluster';
import type { ChildProcess } from 'node:child_process';
import { createAdapter as createClusterAdapter, setupPrimary } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import { GatehouseError, type Config } from '../core/index.js';
import type { RedisClient } from '../storage/index.js';
import { adapterCloseMessage } from './cross-node.js';
import { CLUSTER_MESSAGE_SOURCE, MessageType } from './socketio-internals.js';
import type { AdapterKind } from './types.js';

/** Set by `gatehouse up` on the app nodes it forks with child_process (it runs `createClusterRelay`). */
export const CLUSTER_ENV = 'GATEHOUSE_REALTIME_IPC';

function insideCluster(): boolean {
  return cluster.isWorker || (typeof process.send === 'function' && process.env[CLUSTER_ENV] === '1');
}

/**
 * `auto`: Redis Streams when there is a Redis client (REDIS_URL), the IPC cluster adapter when this node
 * was started by `gatehouse up`, otherwise in-memory (one node).
 */
export function resolveAdapterKind(requested: AdapterKind | 'auto' | undefined, config: Config, redis: RedisClient | null): AdapterKind {
  const kind = requested && requested !== 'auto' ? requested : config.realtime.adapter;
  if (kind === 'redis' && !redis) {
    throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: 'realtime.adapter is "redis" but no REDIS_URL is set.' });
  }
  if (kind === 'cluster' && !insideCluster()) {
    throw new GatehouseError('GH_CORE_CONFIG_INVALID', {
      message: `realtime.adapter is "cluster" but this process has no IPC primary (use node:cluster or fork with ${CLUSTER_ENV}=1).`,
    });
  }
  if (kind !== 'auto') return kind;
  if (redis) return 'redis';
  return insideCluster() ? 'cluster' : 'memory';
}

/** The Socket.IO `adapter` option for a kind; undefined selects the built-in in-memory adapter. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io types the option as a class or factory of `any` namespace
export function adapterFor(kind: AdapterKind, config: Config, redis: RedisClient | null): ((nsp: any) => unknown) | undefined {
  if (kind === 'redis') {
    const prefix = `${config.storage.keyPrefix}sio`;
    // Short blocking reads so a closing node lets go of its Redis connection quickly.
    const blockTimeInMs = 2_000;
    return createRedisStreamsAdapter(redis ? withoutFloatingRejections(redis, blockTimeInMs) : redis, {
      streamName: `${prefix}:stream`,
      channelPrefix: prefix,
      sessionKeyPrefix: `${prefix}:session:`,
      blockTimeInMs,
      // Chat payloads are JSON: skip the per-message binary scan.
      onlyPlaintext: true,
    });
  }
  if (kind === 'cluster') {
    // A node killed without closing is forgotten after nodeTimeoutMs of silence (the relay of
    // `gatehouse up` tells the others at once when it sees the process exit).
    const heartbeatTimeout = config.realtime.nodeTimeoutMs;
    return createClusterAdapter({ heartbeatInterval: Math.max(100, Math.floor(heartbeatTimeout / 3)), heartbeatTimeout });
  }
  return undefined;
}

// The Redis Streams adapter fires SUBSCRIBE and PUBLISH without awaiting them, so while Redis is down
// each would be an unhandled rejection, which ends a Node process. These wrappers give those calls a
// handler (the adapter already treats pub/sub as best effort; XREAD/XADD errors it handles itself).
const FIRE_AND_FORGET = new Set(['subscribe', 'ssubscribe', 'publish', 'spublish']);

function caught<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      if (FIRE_AND_FORGET.has(property)) {
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) result.catch(() => {});
          return result;
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/**
 * The client the adapter gets: its duplicates (the subscriber, the stream reader) are guarded the same
 * way, and their command timeout leaves room for the blocking XREAD, which would otherwise time out
 * on every quiet poll.
 */
function withoutFloatingRejections(redis: RedisClient, blockTimeInMs: number): RedisClient {
  const guarded = caught(redis);
  const { commandTimeout } = redis.options;
  const override = typeof commandTimeout === 'number' ? { commandTimeout: commandTimeout + blockTimeInMs } : {};
  return new Proxy(guarded, {
    get(target, property, receiver) {
      if (property === 'duplicate') return () => caught(redis.duplicate(override));
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/**
 * What the primary of a node:cluster setup must run once (before forking) so workers' adapters reach
 * each other: the adapter's own relay.
 */
export function setupClusterPrimary(): void {
  setupPrimary();
}

// The messages that answer one requester.
const RESPONSE_TYPES = new Set<number>([
  MessageType.FETCH_SOCKETS_RESPONSE,
  MessageType.SERVER_SIDE_EMIT_RESPONSE,
  MessageType.BROADCAST_CLIENT_COUNT,
  MessageType.BROADCAST_ACK,
]);

interface AdapterMessage {
  source?: string;
  uid?: string;
  nsp?: string;
  type?: number;
  requesterUid?: string;
}

/**
 * The same relay as `setupClusterPrimary`, for nodes forked with child_process.fork (what `gatehouse up`
 * does): each adapter message from one child goes to every other child, and a response goes to the
 * child that asked. Children must be forked with `CLUSTER_ENV=1` and an IPC channel. When a child
 * exits, the others are told its adapters closed, so their cross-node requests stop waiting for it
 * at once instead of after a heartbeat timeout.
 */
export function createClusterRelay(): { add(child: ChildProcess): void; remove(child: ChildProcess): void } {
  const children = new Map<ChildProcess, { uids: Map<string, string>; listener: (message: unknown) => void }>();
  const send = (child: ChildProcess, message: unknown) => {
    if (child.connected) child.send(message as object, undefined, {}, () => {});
  };
  const relay = {
    add(child: ChildProcess) {
      const entry = {
        uids: new Map<string, string>(),
        listener: (raw: unknown) => {
          const message = raw as AdapterMessage | null;
          if (!message || typeof message !== 'object' || message.source !== CLUSTER_MESSAGE_SOURCE) return;
          if (typeof message.uid === 'string' && typeof message.nsp === 'string') entry.uids.set(message.uid, message.nsp);
          if (message.type !== undefined && RESPONSE_TYPES.has(message.type) && message.requesterUid) {
            for (const [other, info] of children) {
              if (info.uids.has(message.requesterUid)) return send(other, message);
            }
          }
          for (const other of children.keys()) if (other !== child) send(other, message);
        },
      };
      children.set(child, entry);
      child.on('message', entry.listener);
      child.once('exit', () => relay.remove(child));
    },
    remove(child: ChildProcess) {
      const entry = children.get(child);
      if (!entry) return;
      child.off('message', entry.listener);
      children.delete(child);
      for (const [uid, nsp] of entry.uids) for (const other of children.keys()) send(other, adapterCloseMessage(uid, nsp));
    },
  };
  return relay;
}
