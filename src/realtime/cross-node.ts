// socket.io-adapter MessageType values (the adapters do not export the enum in a stable place).
const FETCH_SOCKETS = 7;
const ADAPTER_CLOSE = 13;

interface PendingRequest {
  type: number;
  timeout: ReturnType<typeof setTimeout>;
  responses: unknown[];
  resolve: (value: unknown) => void;
}

/** The request books of socket.io-adapter's ClusterAdapter (`requests`) and ClusterAdapterWithHeartbeat (`customRequests`). */
interface AdapterInternals {
  requests?: Map<string, PendingRequest>;
  customRequests?: Map<string, PendingRequest>;
  removeNode?: (uid: string) => void;
  uid?: string;
}

/**
 * A cross-node fetchSockets (presence) waits for every node the adapter believes alive, for 5 s by
 * default, and then fails with nothing — so one dead or frozen node made every join slow and its
 * presence empty. Here each such request answers after `timeoutMs` with what the nodes that did reply
 * sent (this node's own sockets included): a node that is gone costs at most `timeoutMs` once, and
 * the answer is partial, not empty.
 */
export function answerPartiallyAfter(adapter: unknown, timeoutMs: number): void {
  const internals = adapter as AdapterInternals;
  for (const name of ['requests', 'customRequests'] as const) {
    const book = internals[name];
    if (!(book instanceof Map)) continue;
    const set = book.set.bind(book);
    book.set = (requestId: string, request: PendingRequest) => {
      if (request.type === FETCH_SOCKETS) {
        clearTimeout(request.timeout);
        request.timeout = setTimeout(() => {
          if (book.get(requestId) !== request) return;
          book.delete(requestId);
          request.resolve(request.responses);
        }, timeoutMs);
      }
      return set(requestId, request);
    };
  }
}

/** The message a node's adapter sends when it closes; the relay sends it for a node that died without closing. */
export function adapterCloseMessage(uid: string, nsp: string): Record<string, unknown> {
  return { source: '_sio_adapter', type: ADAPTER_CLOSE, uid, nsp };
}
