// The dashboard's rolling window: counters sampled once a second become per-second rates, 60 s kept.

import type { CounterSample } from '../api/types.js';

export type { CounterSample };

export interface RateSeries {
  /** seconds since epoch, one per sample after the first */
  times: number[];
  /** key → rate per second at each time (null where the key was absent) */
  rates: Map<string, (number | null)[]>;
}

export function emptySeries(): RateSeries {
  return { times: [], rates: new Map() };
}

/**
 * Adds the rate between two samples. A counter that went down (the backend was re-added or a node
 * restarted) restarts from zero instead of drawing a negative rate.
 */
export function pushRates(series: RateSeries, previous: CounterSample | null, next: CounterSample, windowSec = 60): RateSeries {
  if (!previous || next.at <= previous.at) return series;
  const seconds = (next.at - previous.at) / 1000;
  const times = [...series.times, next.at / 1000];
  const rates = new Map<string, (number | null)[]>();
  const keys = new Set([...series.rates.keys(), ...Object.keys(next.counters)]);
  for (const key of keys) {
    const history = series.rates.get(key) ?? new Array<number | null>(series.times.length).fill(null);
    const now = next.counters[key];
    const before = previous.counters[key];
    let rate: number | null = null;
    if (now !== undefined) rate = before === undefined || now < before ? 0 : (now - before) / seconds;
    rates.set(key, [...history, rate === null ? null : Math.round(rate * 10) / 10]);
  }
  const cutoff = next.at / 1000 - windowSec;
  let drop = 0;
  while (drop < times.length && (times[drop] ?? 0) < cutoff) drop++;
  if (drop > 0) {
    times.splice(0, drop);
    for (const values of rates.values()) values.splice(0, drop);
  }
  // A key that has been absent for the whole window is gone.
  for (const [key, values] of rates) if (values.every((v) => v === null)) rates.delete(key);
  return { times, rates };
}

/** The rate window for a run of samples, oldest first (the node's history of the last minute). */
export function seriesFrom(samples: CounterSample[], windowSec = 60): { series: RateSeries; last: CounterSample | null } {
  let series = emptySeries();
  let last: CounterSample | null = null;
  for (const sample of samples) {
    series = pushRates(series, last, sample, windowSec);
    last = sample;
  }
  return { series, last };
}
