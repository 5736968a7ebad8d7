import { constants, openSync } from 'node:fs';
import { closeAll, readOnceSync, writeAllSync, type PreparedModel } from './prepared.js';
import { fifoPaths, LineBuffer, Workload, type ModelRunConfig } from './wire.js';

/**
 * Synchronous non-blocking: every descriptor has O_NONBLOCK and one loop keeps asking each waiting
 * client's pipe "is the answer there yet?". read(2) returns EAGAIN until it is, so the thread never
 * sleeps: all the waiting turns into CPU time (and into a count of EAGAINs).
 */
export function prepareSyncNonBlocking(config: ModelRunConfig): PreparedModel {
  const fds = Array.from({ length: config.clients }, (_, i) => {
    const paths = fifoPaths(config.dir, i);
    return {
      request: openSync(paths.request, constants.O_WRONLY | constants.O_NONBLOCK),
      answer: openSync(paths.answer, constants.O_RDONLY | constants.O_NONBLOCK),
    };
  });
  return {
    run() {
      const workload = new Workload(config.clients, config.requests);
      const buffer = Buffer.alloc(4096);
      const lines = fds.map(() => new LineBuffer());
      let eagain = 0;
      const countEagain = (): void => {
        eagain += 1;
      };
      for (let c = 0; c < fds.length; c += 1) writeAllSync(fds[c]!.request, workload.nextRequest(c), countEagain);
      while (!workload.done) {
        for (let c = 0; c < fds.length; c += 1) {
          if (!workload.outstanding(c)) continue;
          const chunk = readOnceSync(fds[c]!.answer, buffer);
          if (!chunk) {
            eagain += 1;
            continue;
          }
          for (const line of lines[c]!.push(chunk)) workload.answer(c, line);
          if (workload.wantsToSend(c)) writeAllSync(fds[c]!.request, workload.nextRequest(c), countEagain);
        }
      }
      return Promise.resolve({ latenciesMs: workload.latenciesMs, eagain });
    },
    close: () => closeAll(fds.flatMap((f) => [f.request, f.answer])),
  };
}

