import type { Socket } from 'node:net';
import { GatehouseError, systemClock, type Clock } from '../../core/index.js';
import { parseProxyHeader } from './parse.js';
import type { ProxyHeader } from './types.js';

export interface ReadProxyHeaderOptions {
  /** How long the peer has to send the whole header (slowloris guard). */
  timeoutMs?: number;
  maxV2Length?: number;
  clock?: Clock;
}

/**
 * Reads a PROXY header off a freshly accepted socket. Resolves with the header and whatever bytes came
 * after it (the start of the proxied stream, to be forwarded first); the socket is left paused. Rejects
 * with a coded error on garbage, timeout or an early close; the caller destroys the socket.
 */
export function readProxyHeader(socket: Socket, options: ReadProxyHeaderOptions = {}): Promise<{ header: ProxyHeader; rest: Buffer }> {
  const clock = options.clock ?? systemClock;
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const cleanup = (): void => {
      cancelTimer();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.pause();
    };
    const fail = (error: unknown): void => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let result;
      try {
        result = parseProxyHeader(buffered, options.maxV2Length === undefined ? {} : { maxV2Length: options.maxV2Length });
      } catch (error) {
        fail(error);
        return;
      }
      if (!result.done) return;
      cleanup();
      resolve({ header: result.header, rest: buffered.subarray(result.length) });
    };
    const onEnd = (): void => fail(new GatehouseError('GH_BALANCER_PROXY_HEADER_INVALID', { details: { reason: 'connection closed before the header ended' } }));
    const onError = (error: Error): void => fail(new GatehouseError('GH_BALANCER_PROXY_HEADER_INVALID', { cause: error, details: { reason: 'connection error' } }));
    const cancelTimer = clock.setTimer(options.timeoutMs ?? 5_000, () => fail(new GatehouseError('GH_BALANCER_PROXY_HEADER_TIMEOUT')));
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    socket.resume();
  });
}
