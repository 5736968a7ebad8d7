import type { CounterSample } from '../../core/index.js';

/**
 * The last minute of the balancer's request counters, sampled by this node once a second while someone
 * watches the dashboard (and for five minutes after), so a page opened now draws the recent past and not
 * only what it saw itself. The counters are the balancer's, so every node's samples agree.
 */

export interface ClusterHistory {
  /** Keeps sampling going for a while; returns the samples of the last minute, oldest first. */
  watch(): CounterSample[];
  stop(): void;
}

const WINDOW_MS = 61_000;
const WATCH_MS = 5 * 60_000;
const EVERY_MS = 1_000;

export function createClusterHistory(read: () => Promise<Record<string, number>>, now: () => number = Date.now): ClusterHistory {
  const samples: CounterSample[] = [];
  let watchedUntil = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const sample = async (): Promise<void> => {
    timer = null;
    const counters = await read().catch(() => null);
    if (stopped) return;
    const at = now();
    if (counters) samples.push({ at, counters });
    while (samples.length > 0 && samples[0]!.at < at - WINDOW_MS) samples.shift();
    // Unref'd: sampling for a dashboard never keeps a stopping node alive.
    if (at < watchedUntil) timer = setTimeout(() => void sample(), EVERY_MS).unref();
  };

  return {
    watch() {
      watchedUntil = now() + WATCH_MS;
      if (!timer && !stopped) timer = setTimeout(() => void sample(), 0).unref();
      const cutoff = now() - WINDOW_MS;
      return samples.filter((s) => s.at >= cutoff);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
