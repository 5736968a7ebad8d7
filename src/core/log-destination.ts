import { pino, type DestinationStream } from 'pino';

/** How long an info line may wait in memory before it is written. */
export const LOG_FLUSH_DELAY_MS = 100;
/** Written at once when this much is waiting, whatever the delay. */
const FLUSH_BYTES = 16 * 1024;
/** pino's default JSON starts every line with `{"level":NN`; the level's first digit is at this index. */
const LEVEL_DIGIT_AT = 9;
/** '4': warn (40) and above are written at once. */
const WARN_DIGIT = 0x34;

export interface BufferedDestination extends DestinationStream {
  /** Hands what is waiting to the file now (asynchronously). */
  flush(): void;
  /** Writes what is waiting before returning: for the process's last moments. */
  flushSync(): void;
  /** How many characters are waiting in memory. */
  pending(): number;
}

/**
 * The node's log destination: lines are gathered in memory and handed to pino's own destination
 * (sonic-boom on the descriptor, which handles partial writes, EAGAIN and a closed pipe) in batches —
 * every {@link LOG_FLUSH_DELAY_MS} ms, or once 16 KiB are waiting. Each write sonic-boom makes is a
 * round trip through libuv's thread pool; made once per request line it cost 5 to 12 µs of CPU, more
 * than the rest of the line, while a batch of a hundred lines costs about as much as one. What the
 * batching must not cost:
 * - a warning or an error is never held back: such a line, and everything before it, is written at once;
 * - the process's end: on `beforeExit` and `exit` (a normal end, `process.exit`, SIGTERM's shutdown, an
 *   uncaught exception) what is waiting is written synchronously before pino's own exit handling;
 * - only a process killed outright (SIGKILL, the OOM killer) loses the info lines of its last 100 ms.
 */
export function createBufferedDestination(fd: number, delayMs = LOG_FLUSH_DELAY_MS): BufferedDestination {
  let waiting = '';
  let timer: NodeJS.Timeout | null = null;
  // Registered before pino.destination registers its own exit handlers, so these run first.
  const onBeforeExit = () => flush();
  const onExit = () => flushSync();
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  const file = pino.destination({ fd });

  function flush(): void {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (waiting === '') return;
    const batch = waiting;
    waiting = '';
    file.write(batch);
  }

  function flushSync(): void {
    flush();
    try {
      file.flushSync();
    } catch {
      // Nothing more can be done in the process's last moments (a closed descriptor, say).
    }
  }

  return {
    write(line: string) {
      waiting += line;
      if (line.charCodeAt(LEVEL_DIGIT_AT) >= WARN_DIGIT || waiting.length >= FLUSH_BYTES) flush();
      else if (!timer) {
        timer = setTimeout(flush, delayMs);
        // A waiting line must not keep an otherwise finished process alive; beforeExit writes it.
        timer.unref();
      }
    },
    flush,
    flushSync,
    pending: () => waiting.length,
  };
}

const shared = new Map<number, BufferedDestination>();

/**
 * The one buffered destination of a descriptor in this process: every logger writing to stdout shares
 * it, so their lines keep the order they were written in (and the exit handlers are registered once).
 */
export function sharedDestination(fd: number): BufferedDestination {
  let destination = shared.get(fd);
  if (!destination) shared.set(fd, (destination = createBufferedDestination(fd)));
  return destination;
}
