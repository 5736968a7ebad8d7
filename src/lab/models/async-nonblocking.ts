import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { PreparedModel } from './prepared.js';
import { failureOf, openAnswerSocket, openRequestSocket } from './pipe-sockets.js';
import { LineBuffer, Workload, type ModelRunConfig } from './wire.js';

/**
 * Asynchronous non-blocking, the event loop: every client is its own little program (a promise chain)
 * that writes its request and is called back when the answer arrives; nobody waits on anybody and the
 * thread sleeps in the loop whenever there is nothing to do. This is how gatehouse serves everything.
 */
export function prepareAsyncNonBlocking(config: ModelRunConfig): PreparedModel {
  const answers = Array.from({ length: config.clients }, (_, i) => openAnswerSocket(config.dir, i));
  const requests = Array.from({ length: config.clients }, (_, i) => openRequestSocket(config.dir, i));
  return {
    async run() {
      const workload = new Workload(config.clients, config.requests);
      const failed = failureOf([...answers, ...requests]);
      const clients = answers.map((answer, c) => runClient(c, answer, requests[c]!, workload, config.requests));
      await Promise.race([Promise.all(clients), failed]);
      return { latenciesMs: workload.latenciesMs };
    },
    close() {
      for (const socket of [...answers, ...requests]) socket.destroy();
    },
  };
}

async function runClient(c: number, answer: Socket, request: Socket, workload: Workload, count: number): Promise<void> {
  const lines = new LineBuffer();
  const pending: string[] = [];
  let notify: (() => void) | undefined;
  answer.on('data', (chunk: Buffer) => {
    pending.push(...lines.push(chunk));
    notify?.();
  });
  for (let r = 0; r < count; r += 1) {
    if (!request.write(workload.nextRequest(c))) await once(request, 'drain');
    while (pending.length === 0) await new Promise<void>((resolve) => (notify = resolve));
    notify = undefined;
    workload.answer(c, pending.shift()!);
  }
}
