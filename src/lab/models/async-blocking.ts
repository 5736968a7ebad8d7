import { closeAll, writeAllSync, type PreparedModel } from './prepared.js';
import { failureOf, openAnswerSocket, openRequestFd } from './pipe-sockets.js';
import { LineBuffer, Workload, type ModelRunConfig } from './wire.js';

/**
 * Asynchronous blocking, the select() model: one loop blocks on the whole set of descriptors at once,
 * gets back the ones that are ready — in the order their I/O finished, not the order it started — reads
 * only those, and blocks again. Node exposes no select() call, so the wait is a promise settled after a
 * loop turn in which any pipe became readable; underneath, that is libuv sleeping in epoll_wait on every
 * descriptor, which is what select() does. Reads happen only after readiness, so they never wait.
 */
export function prepareAsyncBlocking(config: ModelRunConfig): PreparedModel {
  const answers = Array.from({ length: config.clients }, (_, i) => openAnswerSocket(config.dir, i));
  const requests = Array.from({ length: config.clients }, (_, i) => openRequestFd(config.dir, i));
  return {
    async run() {
      const workload = new Workload(config.clients, config.requests);
      const lines = answers.map(() => new LineBuffer());
      const ready = new Set<number>();
      let wake: (() => void) | undefined;
      // Readiness is collected for the whole poll phase (one epoll_wait's worth of events) and the loop
      // wakes once, after it, with the full ready set: what select() returns.
      let waking = false;
      answers.forEach((socket, i) => {
        socket.on('readable', () => {
          ready.add(i);
          if (wake && !waking) {
            waking = true;
            setImmediate(() => {
              waking = false;
              wake?.();
            });
          }
        });
      });
      const failed = failureOf(answers);
      failed.catch(() => undefined);
      let waits = 0;
      let maxReady = 0;
      for (let c = 0; c < requests.length; c += 1) writeAllSync(requests[c]!, workload.nextRequest(c));
      while (!workload.done) {
        // select(): sleep until at least one descriptor of the set is ready.
        if (ready.size === 0) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), failed]);
          wake = undefined;
        }
        waits += 1;
        maxReady = Math.max(maxReady, ready.size);
        const batch = [...ready];
        ready.clear();
        for (const c of batch) {
          for (let chunk = answers[c]!.read() as Buffer | null; chunk !== null; chunk = answers[c]!.read() as Buffer | null) {
            for (const line of lines[c]!.push(chunk)) workload.answer(c, line);
          }
          if (workload.wantsToSend(c)) writeAllSync(requests[c]!, workload.nextRequest(c));
        }
      }
      return { latenciesMs: workload.latenciesMs, waits, maxReady };
    },
    close() {
      for (const socket of answers) socket.destroy();
      closeAll(requests);
    },
  };
}
