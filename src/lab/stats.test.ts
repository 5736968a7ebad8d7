import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats.js';

describe('latency summary', () => {
  it('uses nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('sorts its input and reports mean and max', () => {
    expect(summarize([30, 10, 20])).toEqual({ p50: 20, p90: 30, p99: 30, max: 30, mean: 20 });
    expect(summarize([])).toEqual({ p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
  });
});
