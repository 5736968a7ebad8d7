import type { Clock } from '../../core/index.js';

/**
 * Socket.IO-aware routing without sticky cookies. engine.io's sid is chosen by the backend, so it
 * cannot be hashed to a backend in advance; instead the balancer reads the handshake response
 * (`0{"sid":"…",…}` on the first polling GET) and remembers sid → backend. Later polling requests and
 * the WebSocket upgrade carrying that sid go to the same backend. Entries expire when a sid has not
 * been seen for `ttlMs`, and the table is bounded so a flood of handshakes cannot exhaust memory.
 */
export interface SidRouter {
  /** The sid a request carries, when the request is an engine.io one. */
  sidOf(url: string): string | undefined;
  /** True for an engine.io handshake (no sid yet) whose response must be read. */
  isHandshake(url: string): boolean;
  learn(sid: string, backendId: string): void;
  lookup(sid: string): string | undefined;
  forget(backendId: string): void;
  readonly size: number;
}

export function createSidRouter(options: { path?: string; clock: Clock; ttlMs?: number; maxEntries?: number }): SidRouter {
  const path = options.path ?? '/socket.io/';
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const maxEntries = options.maxEntries ?? 100_000;
  // Insertion order doubles as age order: lookups re-insert, so the first entries are the stalest.
  const table = new Map<string, { backendId: string; seen: number }>();

  const engineQuery = (url: string): URLSearchParams | undefined => {
    if (!url.startsWith(path)) return undefined;
    const q = url.indexOf('?');
    if (q < 0) return undefined;
    const params = new URLSearchParams(url.slice(q + 1));
    return params.has('EIO') ? params : undefined;
  };

  const sweep = (now: number): void => {
    for (const [sid, entry] of table) {
      if (now - entry.seen < ttlMs && table.size <= maxEntries) break;
      table.delete(sid);
    }
  };

  return {
    sidOf(url) {
      const sid = engineQuery(url)?.get('sid');
      return sid && sid.length <= 128 ? sid : undefined;
    },
    isHandshake(url) {
      const params = engineQuery(url);
      return params !== undefined && !params.has('sid') && params.get('transport') === 'polling';
    },
    learn(sid, backendId) {
      const now = options.clock.now();
      table.delete(sid);
      table.set(sid, { backendId, seen: now });
      sweep(now);
    },
    lookup(sid) {
      const entry = table.get(sid);
      if (!entry) return undefined;
      const now = options.clock.now();
      if (now - entry.seen >= ttlMs) {
        table.delete(sid);
        return undefined;
      }
      table.delete(sid);
      entry.seen = now;
      table.set(sid, entry);
      return entry.backendId;
    },
    forget(backendId) {
      for (const [sid, entry] of table) if (entry.backendId === backendId) table.delete(sid);
    },
    get size() {
      return table.size;
    },
  };
}

/** The sid in an engine.io open packet at the start of a handshake body, if the bytes so far hold it. */
export function sidFromHandshake(body: string): string | undefined {
  const match = /^(?:\d+:)?0\{[^}]*?"sid":"([^"\\]{1,128})"/.exec(body);
  return match?.[1];
}
