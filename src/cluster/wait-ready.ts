import { GatehouseError } from '../core/index.js';

const pause = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    // Unref'd: a pending poll must never keep a stopping process alive.
    setTimeout(resolve, ms).unref();
  });

/** Polls a readiness URL until it answers 200; rejects after `timeoutMs` or when `signal` aborts. */
export async function waitReady(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new GatehouseError('GH_CLUSTER_NODE_NOT_READY', { message: `Stopped waiting for ${url}.` });
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new GatehouseError('GH_CLUSTER_NODE_NOT_READY', { message: `${url} did not become ready within ${Math.round(timeoutMs / 1000)} s.` });
    await pause(200);
  }
}

/** Polls a condition until it holds or `timeoutMs` passes; resolves either way (a best-effort wait). */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await pause(100);
  }
  return true;
}
