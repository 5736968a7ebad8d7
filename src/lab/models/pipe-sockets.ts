import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { fifoPaths } from './wire.js';

/**
 * Wraps client `i`'s answer FIFO in a net.Socket: libuv sets O_NONBLOCK on it and watches it with
 * epoll, the same machinery as a TCP socket. The request side is returned as a plain descriptor or as
 * a writable socket, as the model needs.
 */
export function openAnswerSocket(dir: string, i: number): Socket {
  const fd = openSync(fifoPaths(dir, i).answer, constants.O_RDONLY);
  return new Socket({ fd, readable: true, writable: false });
}

export function openRequestSocket(dir: string, i: number): Socket {
  const fd = openSync(fifoPaths(dir, i).request, constants.O_WRONLY);
  return new Socket({ fd, readable: false, writable: true });
}

export function openRequestFd(dir: string, i: number): number {
  return openSync(fifoPaths(dir, i).request, constants.O_WRONLY | constants.O_NONBLOCK);
}

/** Resolves never; rejects when any socket fails or ends early (the slow server went away). */
export function failureOf(sockets: Socket[]): Promise<never> {
  return new Promise<never>((_, reject) => {
    for (const socket of sockets) {
      socket.once('error', reject);
      socket.once('end', () => reject(new Error('the slow server closed its end of the pipe')));
    }
  });
}
