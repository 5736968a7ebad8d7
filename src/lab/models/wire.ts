import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ModelName } from './catalog.js';

/** What a model process is told: which model, where the FIFOs are, and the workload. */
export interface ModelRunConfig {
  model: ModelName;
  dir: string;
  clients: number;
  requests: number;
}

/** What a model's run reports, besides the time and CPU its process measures around it. */
export interface ModelCounters {
  /** One entry per request: ms from the moment its client wanted it sent to the moment its answer was read. */
  latenciesMs: number[];
  /** read(2) calls that failed with EAGAIN (busy polling). */
  eagain?: number;
  /** Times the select-style loop waited on the whole set. */
  waits?: number;
  /** Largest number of descriptors a single wait returned ready. */
  maxReady?: number;
}

/** The request FIFO (model writes, slow server reads) and the answer FIFO (the other way) of client `i`. */
export function fifoPaths(dir: string, i: number): { request: string; answer: string } {
  return { request: join(dir, `req-${i}`), answer: join(dir, `ans-${i}`) };
}

/** One request on the wire: "<client> <seq>\n"; the slow server echoes the line back as the answer. */
export function requestLine(client: number, seq: number): string {
  return `${client} ${seq}\n`;
}

/**
 * Reads may return part of a line or several lines; this keeps the rest between reads and hands out
 * whole lines only.
 */
export class LineBuffer {
  private rest = '';

  push(chunk: Buffer | string): string[] {
    const text = this.rest + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines;
  }
}

/**
 * The closed-loop workload every model serves: each client wants its next request sent the moment its
 * previous answer arrives; latency counts from that moment, so time spent waiting for the model to get
 * round to a client is part of it.
 */
export class Workload {
  readonly latenciesMs: number[] = [];
  private readonly wantedAt: number[];
  private readonly sent: number[];
  private readonly answered: number[];
  private finished = 0;

  readonly clients: number;
  readonly requests: number;

  constructor(clients: number, requests: number) {
    this.clients = clients;
    this.requests = requests;
    const now = performance.now();
    this.wantedAt = Array.from({ length: clients }, () => now);
    this.sent = new Array<number>(clients).fill(0);
    this.answered = new Array<number>(clients).fill(0);
  }

  get done(): boolean {
    return this.finished === this.clients * this.requests;
  }

  /** Whether client `c` has a request it wants sent (its previous one answered, some left). */
  wantsToSend(c: number): boolean {
    return this.sent[c]! === this.answered[c]! && this.sent[c] < this.requests;
  }

  /** Whether client `c` has a request sent and not yet answered. */
  outstanding(c: number): boolean {
    return this.sent[c]! > this.answered[c]!;
  }

  /** The line to send for client `c`'s next request (call once per request, right before writing it). */
  nextRequest(c: number): string {
    const line = requestLine(c, this.sent[c]!);
    this.sent[c]! += 1;
    return line;
  }

  /** Records client `c`'s answer; checks it answers the request that is outstanding, never a stale one. */
  answer(c: number, line: string): void {
    const expected = requestLine(c, this.answered[c]!).trimEnd();
    if (line !== expected || this.sent[c]! !== this.answered[c]! + 1) {
      throw new Error(`client ${c} got an answer it did not expect (${JSON.stringify(line.slice(0, 40))})`);
    }
    const now = performance.now();
    this.latenciesMs.push(now - this.wantedAt[c]!);
    this.wantedAt[c] = now;
    this.answered[c]! += 1;
    this.finished += 1;
  }
}
