import { CLUSTER_MESSAGE_SOURCE, clusterAdapterInternals, MessageType, type PendingRequest } from './socketio-internals.js';

/** What this node's cross-node requests (presence, serverSideEmit with acks) have cost: /api/node/stats shows it. */
export interface CrossNodeStats {
  /** This node's id in the cluster (its chat adapter's uid); null on the in-memory adapter. */
  uid: string | null;
  /** Requests sent to the other nodes. */
  requests: number;
  /** Requests answered after the timeout, without some node's answer. */
  partial: number;
  /** Per node uid: how many requests waited out the timeout for it (the most recent nodes). */
  waitedFor: Record<string, number>;
  /** Times a node known to be unresponsive was not waited for. */
  skipped: number;
}

const KEEP_WAITED_FOR = 32;

/**
 * Cross-node requests that do not wait on nodes that are gone.
 *
 * A fetchSockets or a serverSideEmit with an ack (presence) waits for every node the adapter believes
 * alive — 5 s by default — and then fails with nothing, so one dead or frozen node made every join
 * slow and its presence empty.
 * The adapter forgets a node when it closes, when `gatehouse up` reports its process gone, or after a
 * heartbeat timeout (IPC); Redis Streams counts the subscribers Redis still has. Between a death and
 * that, and for a node that is alive but frozen, this adds:
 *
 * - each request answers after `timeoutMs` with what the nodes that did reply sent (this node's own
 *   sockets included): partial, not empty;
 * - a node that let a request time out is not waited for again until it is heard from (any message:
 *   a heartbeat, a broadcast, a late answer), so it costs one timeout per requesting node, not one per
 *   join (where the adapter names the nodes it waits for: the IPC cluster adapter).
 */
export function watchCrossNodeRequests(adapter: unknown, timeoutMs: number): { stats(): CrossNodeStats } {
  const internals = clusterAdapterInternals(adapter);
  const counts = { requests: 0, partial: 0, skipped: 0 };
  const waitedFor = new Map<string, number>();
  const stats = (): CrossNodeStats => ({ uid: internals?.uid ?? null, ...counts, waitedFor: Object.fromEntries(waitedFor) });
  if (!internals) return { stats };

  /** Nodes that let a request time out, skipped until heard from. */
  const unresponsive = new Set<string>();
  const onMessage = internals.onMessage.bind(internals);
  internals.onMessage = (message, offset) => {
    if (typeof message?.uid === 'string') unresponsive.delete(message.uid);
    onMessage(message, offset);
  };

  const waitedOutFor = (uid: string) => {
    unresponsive.add(uid);
    waitedFor.delete(uid); // re-inserted last: the map keeps the most recent nodes
    waitedFor.set(uid, (waitedFor.get(uid) ?? 0) + 1);
    if (waitedFor.size > KEEP_WAITED_FOR) waitedFor.delete(waitedFor.keys().next().value!);
  };
  // fetchSockets resolves with the sockets; serverSideEmit's ack takes (error, responses).
  const settle = (request: PendingRequest, timedOut: boolean) =>
    request.type === MessageType.FETCH_SOCKETS
      ? request.resolve(request.responses)
      : request.resolve(timedOut ? new Error('some nodes did not answer in time') : null, request.responses);

  for (const book of [internals.requests, internals.customRequests]) {
    if (!(book instanceof Map)) continue;
    const set = book.set.bind(book);
    book.set = (requestId: string, request: PendingRequest) => {
      if (request.type !== MessageType.FETCH_SOCKETS && request.type !== MessageType.SERVER_SIDE_EMIT) return set(requestId, request);
      counts.requests += 1;
      clearTimeout(request.timeout);
      const finish = (timedOut: boolean) => {
        if (book.get(requestId) !== request) return; // answered meanwhile
        book.delete(requestId);
        settle(request, timedOut);
      };
      const missing = request.missingUids;
      if (missing) {
        // A node forgotten by the adapter will not come back under the same uid.
        for (const uid of unresponsive) if (internals.nodesMap && !internals.nodesMap.has(uid)) unresponsive.delete(uid);
        for (const uid of missing) {
          if (!unresponsive.has(uid)) continue;
          missing.delete(uid);
          counts.skipped += 1;
        }
        if (missing.size === 0) {
          // Nobody left to wait for: answer as soon as the adapter has stored and published it.
          queueMicrotask(() => finish(false));
          return set(requestId, request);
        }
      }
      request.timeout = setTimeout(() => {
        if (book.get(requestId) !== request) return;
        counts.partial += 1;
        for (const uid of request.missingUids ?? []) waitedOutFor(uid);
        finish(true);
      }, timeoutMs);
      return set(requestId, request);
    };
  }
  return { stats };
}

/** The message a node's adapter sends when it closes; the relay sends it for a node that died without closing. */
export function adapterCloseMessage(uid: string, nsp: string): Record<string, unknown> {
  return { source: CLUSTER_MESSAGE_SOURCE, type: MessageType.ADAPTER_CLOSE, uid, nsp };
}
