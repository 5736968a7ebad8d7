import { constants, openSync } from 'node:fs';
import { closeAll, readOnceSync, writeAllSync, type PreparedModel } from './prepared.js';
import { fifoPaths, LineBuffer, Workload, type ModelRunConfig } from './wire.js';

/**
 * Synchronous blocking: blocking descriptors, one request at a time. `readSync` is read(2) on a
 * descriptor without O_NONBLOCK, so the thread sleeps in the kernel until the answer is there and
 * nothing else can happen meanwhile.
 */
export function prepareSyncBlocking(config: ModelRunConfig): PreparedModel {
  const fds = Array.from({ length: config.clients }, (_, i) => {
    const paths = fifoPaths(config.dir, i);
    return { request: openSync(paths.request, constants.O_WRONLY), answer: openSync(paths.answer, constants.O_RDONLY) };
  });
  return {
    run() {
      const workload = new Workload(config.clients, config.requests);
      const buffer = Buffer.alloc(4096);
      const lines = fds.map(() => new LineBuffer());
      // Clients are served in the order they asked: all at the start, then each again once answered.
      const queue = fds.map((_, i) => i);
      for (let head = 0; head < queue.length; head += 1) {
        const c = queue[head]!;
        writeAllSync(fds[c]!.request, workload.nextRequest(c));
        let got: string[] = [];
        while (got.length === 0) {
          const chunk = readOnceSync(fds[c]!.answer, buffer);
          if (chunk) got = lines[c]!.push(chunk);
        }
        for (const line of got) workload.answer(c, line);
        if (workload.wantsToSend(c)) queue.push(c);
      }
      return Promise.resolve({ latenciesMs: workload.latenciesMs });
    },
    close: () => closeAll(fds.flatMap((f) => [f.request, f.answer])),
  };
}
