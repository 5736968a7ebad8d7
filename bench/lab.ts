// `npm run bench -- lab`: the I/O models lab (src/lab/) as a benchmark area — the same workload served
// by the four I/O models, the event loop as the baseline every ratio is taken against.
import { join } from 'node:path';
import { ioLabChart, ioLabFindings, renderBarChartSvg, runIoLab, type IoLabResult } from '../src/lab/index.js';
import { writeFile, mkdir } from 'node:fs/promises';
import type { BenchContext, BenchSection, BenchTable } from './lib/types.js';

const BASELINE = 'async non-blocking (event loop)';

export function labTable(result: IoLabResult): BenchTable {
  return {
    title: `Four I/O models: ${result.options.clients} clients × ${result.options.requests} requests, ${result.options.delayMs} ms per answer`,
    columns: [
      { key: 'rps', label: 'req/s' },
      { key: 'p50', label: 'p50 ms' },
      { key: 'p99', label: 'p99 ms' },
      { key: 'cpuMs', label: 'CPU ms' },
      { key: 'inFlight', label: 'max in flight' },
      { key: 'eagain', label: 'EAGAIN' },
    ],
    rows: result.models.map((m) => ({
      subject: m.label,
      figures: {
        rps: m.throughputRps,
        p50: m.latencyMs.p50,
        p99: m.latencyMs.p99,
        cpuMs: m.cpuMs.total,
        inFlight: m.maxConcurrency,
        ...(m.eagain !== undefined ? { eagain: m.eagain } : {}),
      },
    })),
    baseline: BASELINE,
    notes: [...ioLabFindings(result), ...result.models.map((m) => `${m.title}: ${m.how}`)],
  };
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const options = ctx.quick ? { clients: 20, requests: 5, delayMs: 20 } : { clients: 50, requests: 10, delayMs: 20 };
  const result = await runIoLab(options, {
    onProgress: (p) => ctx.progress(`[${p.index}/${p.count}] ${p.label}: ${p.done}/${p.total} answered`),
  });
  await mkdir(join(ctx.outDir, 'charts'), { recursive: true });
  await writeFile(join(ctx.outDir, 'charts', 'lab-io.svg'), renderBarChartSvg(ioLabChart(result)));
  await writeFile(join(ctx.outDir, 'lab-io.json'), `${JSON.stringify(result, null, 2)}\n`);
  return { area: 'lab', tables: [labTable(result)], charts: ['charts/lab-io.svg'] };
}
