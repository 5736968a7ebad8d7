// The one way a test waits for something it cannot be told about: poll a condition. The bound is a
// hang guard, not a speed target — generous, so a loaded machine is slow but never a failure.

/** Longest a wait lasts by default: just under vitest's 30 s test timeout, so the failure names what never came. */
export const HANG_GUARD_MS = 25_000;

export interface WaitOptions {
  /** Give up after this long (a hang guard; raise it for slow starts such as a process tree). */
  timeoutMs?: number;
  /** Pause between two probes. */
  intervalMs?: number;
}

type Settled<T> = Exclude<Awaited<T>, undefined | null | false>;

/**
 * Probes until `probe` gives a value other than undefined, null or false, and returns that value. A probe
 * that throws counts as "not yet" (a server still starting refuses connections); its last error is
 * in the message if the wait gives up.
 */
export async function until<T>(probe: () => T, what: string | (() => string), options: WaitOptions = {}): Promise<Settled<T>> {
  const { timeoutMs = HANG_GUARD_MS, intervalMs = 25 } = options;
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value as Settled<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= end) {
      const because = lastError === undefined ? '' : ` (last probe failed: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${because}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
