import { describe, expect, it } from 'vitest';
import { renderLineChartSvg } from './line-chart.js';
import { runIoLabSweep, sweepChart } from './sweep.js';

describe('the I/O lab client sweep', () => {
  it('runs the workload at each client count: blocking stays at one in flight, the event loop takes them all', async () => {
    const sweep = await runIoLabSweep([3, 1], { requests: 2, delayMs: 40, models: ['sync-blocking', 'async-nonblocking'] });
    expect(sweep.clients).toEqual([1, 3]);
    expect(sweep.runs.map((r) => r.options.clients)).toEqual([1, 3]);
    for (const run of sweep.runs) {
      const [blocking, loop] = run.models;
      expect(blocking!.maxConcurrency).toBe(1);
      expect(loop!.maxConcurrency).toBe(run.options.clients);
      expect(loop!.requests).toBe(run.options.clients * 2);
    }
    const svg = renderLineChartSvg(sweepChart(sweep));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // Three panels (throughput, p99, CPU), one line per model in each.
    expect(svg.match(/<polyline /g)).toHaveLength(6);
    expect(svg.match(/<circle /g)).toHaveLength(12);
  }, 120_000);

  it('needs at least two client counts', async () => {
    await expect(runIoLabSweep([5, 5])).rejects.toMatchObject({ code: 'GH_LAB_INVALID_OPTION' });
  });
});
