import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { fifoPaths, LineBuffer } from './models/index.js';

export interface SlowServerStats {
  received: number;
  answered: number;
  /** Most requests it held at once (received, not yet answered): what concurrency the model achieved. */
  maxInFlight: number;
}

export interface SlowServer {
  stats(): SlowServerStats;
  /** Returns the figures since the last reset and starts counting afresh (one model run each). */
  reset(): SlowServerStats;
  close(): void;
}

/**
 * The other end of every client's pipes: it answers each request line by echoing it after `delayMs`,
 * like a slow disk or database, and counts how many requests it holds at once. It runs on an event
 * loop in its own process, so a model that blocks its own thread cannot stall it. Both FIFOs are opened
 * O_RDWR, which on Linux never waits for the other side, so the models can open theirs in any order.
 */
export function startSlowServer(options: { dir: string; clients: number; delayMs: number }): SlowServer {
  let received = 0;
  let answered = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const sockets: Socket[] = [];
  for (let i = 0; i < options.clients; i += 1) {
    const paths = fifoPaths(options.dir, i);
    const requests = new Socket({ fd: openSync(paths.request, constants.O_RDWR), readable: true, writable: false });
    // Write-only, or it would read (steal) its own answers back out of the FIFO.
    const answers = new Socket({ fd: openSync(paths.answer, constants.O_RDWR), readable: false, writable: true });
    sockets.push(requests, answers);
    const lines = new LineBuffer();
    requests.on('data', (chunk: Buffer) => {
      for (const line of lines.push(chunk)) {
        received += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const timer = setTimeout(() => {
          timers.delete(timer);
          inFlight -= 1;
          answered += 1;
          answers.write(`${line}\n`);
        }, options.delayMs);
        timers.add(timer);
      }
    });
    requests.on('error', () => undefined);
    answers.on('error', () => undefined);
  }
  const stats = (): SlowServerStats => ({ received, answered, maxInFlight });
  return {
    stats,
    reset() {
      const out = stats();
      received = 0;
      answered = 0;
      maxInFlight = inFlight;
      return out;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
    },
  };
}
