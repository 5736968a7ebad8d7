// `npm run bench -- lab`: the I/O models lab (src/lab/) as a benchmark area — the same workload served
// by the four I/O models, the event loop as the baseline every ratio is taken against.
import { join } from 'node:path';
import { ioLabChart, ioLabFindings, renderBarChartSvg, renderLineChartSvg, runIoLab, runIoLabSweep, sweepChart, type IoLabResult, type IoLabSweep } from '../src/lab/index.js';
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

/** Throughput of each model by client count: flat for the blocking model, growing for the event loop. */
export function sweepTable(sweep: IoLabSweep): BenchTable {
  const first = sweep.runs[0]!;
  return {
    title: `Throughput (req/s) as clients grow: ${first.options.requests} requests each, ${first.options.delayMs} ms per answer`,
    columns: sweep.clients.map((n) => ({ key: `c${n}`, label: `${n} clients` })),
    rows: first.models.map((m) => ({
      subject: m.label,
      figures: Object.fromEntries(sweep.runs.map((run) => [`c${run.options.clients}`, run.models.find((x) => x.model === m.model)!.throughputRps])),
    })),
    baseline: BASELINE,
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
  const counts = ctx.quick ? [1, 5, 20] : [1, 10, 25, 50];
  const sweep = await runIoLabSweep(
    counts,
    { requests: 3, delayMs: 20 },
    { onProgress: (p) => ctx.progress(`sweep [${p.index}/${p.count}] ${p.label}: ${p.done}/${p.total} answered`) },
  );
  await writeFile(join(ctx.outDir, 'charts', 'lab-io-sweep.svg'), renderLineChartSvg(sweepChart(sweep)));
  return { area: 'lab', tables: [labTable(result), sweepTable(sweep)], charts: ['charts/lab-io.svg', 'charts/lab-io-sweep.svg'] };
}
