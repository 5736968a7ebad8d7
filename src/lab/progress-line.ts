import type { WriteStream } from 'node:tty';

export interface ProgressLine {
  /** Shows `message`: redrawn in place on a terminal, printed as a plain line elsewhere (CI logs). */
  update(message: string): void;
  /** Ends the line (a terminal gets its newline back); later updates start a new one. */
  done(message?: string): void;
}

/**
 * One line of progress. On a TTY it is redrawn in place, at most every 80 ms; elsewhere a line is
 * printed only when the message's text (numbers aside) changes or 5 s have passed, so logs stay short.
 */
export function createProgressLine(
  stream: NodeJS.WritableStream & Partial<Pick<WriteStream, 'isTTY' | 'columns'>> = process.stderr,
  now: () => number = Date.now,
): ProgressLine {
  const tty = stream.isTTY === true;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastShape = '';
  let pending = '';
  let open = false;
  const draw = (message: string): void => {
    const width = Math.max(20, (stream.columns ?? 100) - 1);
    stream.write(`\r${message.length > width ? `${message.slice(0, width - 1)}…` : message}\x1b[K`);
    open = true;
  };
  return {
    update(message) {
      const at = now();
      if (tty) {
        pending = message;
        if (at - lastDraw >= 80) {
          draw(message);
          lastDraw = at;
        }
        return;
      }
      const shape = message.replace(/[\d.,]+/g, '#');
      if (shape !== lastShape || at - lastDraw >= 5_000) {
        stream.write(`${message}\n`);
        lastShape = shape;
        lastDraw = at;
      }
    },
    done(message) {
      if (tty) {
        if (message ?? pending) draw(message ?? pending);
        if (open) stream.write('\n');
      } else if (message) {
        stream.write(`${message}\n`);
      }
      open = false;
      pending = '';
      lastShape = '';
      lastDraw = Number.NEGATIVE_INFINITY;
    },
  };
}
