import { closeSync, readSync, writeSync } from 'node:fs';
import type { ModelCounters, ModelRunConfig } from './wire.js';

/** A model with its descriptors open, ready to serve the workload; `run` is what gets timed. */
export interface PreparedModel {
  run(): Promise<ModelCounters>;
  /** Closes every descriptor the model opened. */
  close(): void;
}

export type PrepareModel = (config: ModelRunConfig) => PreparedModel;

/** Writes all of `text`; on a non-blocking descriptor a full pipe (EAGAIN) is retried and counted. */
export function writeAllSync(fd: number, text: string, onEagain?: () => void): void {
  const bytes = Buffer.from(text, 'latin1');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      onEagain?.();
    }
  }
}

/** One read(2): the bytes read, or null for EAGAIN; end of file (the slow server went away) is an error. */
export function readOnceSync(fd: number, buffer: Buffer): Buffer | null {
  let n: number;
  try {
    n = readSync(fd, buffer, 0, buffer.length, null);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return null;
    throw error;
  }
  if (n === 0) throw new Error('the slow server closed its end of the pipe');
  return buffer.subarray(0, n);
}

export function closeAll(fds: Iterable<number>): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // Already closed (a socket owned it): nothing left to release.
    }
  }
}
