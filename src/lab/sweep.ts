import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatehouseError } from '../core/index.js';
import { renderLineChartSvg, type LineChart } from './line-chart.js';
import { formatMachine } from './machine.js';
import type { IoLabInput } from './options.js';
import { runIoLab, type IoLabHooks, type IoLabResult } from './run-lab.js';
import { formatNumber } from './svg-chart.js';

export interface IoLabSweep {
  clients: number[];
  runs: IoLabResult[];
}

/**
 * The same workload at growing client counts: where a blocking server's throughput stays flat and its
 * latency climbs with every client, while the event loop's throughput grows with them.
 */
export async function runIoLabSweep(
  clients: number[],
  options: Omit<IoLabInput, 'clients'> = {},
  hooks: IoLabHooks & { onStep?(clients: number, step: number, steps: number): void } = {},
): Promise<IoLabSweep> {
  const list = [...new Set(clients)].sort((a, b) => a - b);
  if (list.length < 2) throw new GatehouseError('GH_LAB_INVALID_OPTION', { message: 'A sweep needs at least two client counts.', details: { option: 'sweep' } });
  const runs: IoLabResult[] = [];
  for (const [i, n] of list.entries()) {
    hooks.onStep?.(n, i + 1, list.length);
    runs.push(await runIoLab({ ...options, clients: n }, hooks));
  }
  return { clients: list, runs };
}

export function sweepChart(sweep: IoLabSweep): LineChart {
  const first = sweep.runs[0]!;
  const models = first.models.map((m) => m.model);
  const series = (value: (m: IoLabResult['models'][number]) => number) =>
    models.map((model) => ({
      label: first.models.find((m) => m.model === model)!.label,
      points: sweep.runs.map((run) => ({ x: run.options.clients, y: value(run.models.find((m) => m.model === model)!) })),
    }));
  return {
    title: 'gatehouse lab io — the same slow I/O, more and more clients',
    subtitle: `${first.options.requests} requests per client, every answer ${first.options.delayMs} ms away\n${formatMachine(first.machine)}`,
    xLabel: 'concurrent clients',
    panels: [
      { title: 'Throughput', unit: 'requests/s', series: series((m) => m.throughputRps) },
      { title: 'p99 latency', unit: 'ms', series: series((m) => m.latencyMs.p99) },
      { title: 'CPU time', unit: 'ms', series: series((m) => m.cpuMs.total) },
    ],
  };
}

export function renderSweepText(sweep: IoLabSweep): string {
  const models = sweep.runs[0]!.models;
  const head = ['clients', ...models.flatMap((m) => [`${m.label} req/s`, 'p99 ms'])];
  const rows = sweep.runs.map((run) => [String(run.options.clients), ...run.models.flatMap((m) => [formatNumber(m.throughputRps), formatNumber(m.latencyMs.p99)])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** Writes lab-io-sweep.md, .json and .svg into `outDir`. */
export async function writeSweepReport(sweep: IoLabSweep, outDir: string): Promise<{ markdown: string; json: string; svg: string }> {
  await mkdir(outDir, { recursive: true });
  const paths = { markdown: join(outDir, 'lab-io-sweep.md'), json: join(outDir, 'lab-io-sweep.json'), svg: join(outDir, 'lab-io-sweep.svg') };
  const models = sweep.runs[0]!.models;
  const lines = [
    '# I/O models lab — client sweep',
    '',
    `Machine: ${formatMachine(sweep.runs[0]!.machine)}.`,
    '',
    `| clients | ${models.map((m) => `${m.label} req/s | p99 ms`).join(' | ')} |`,
    `| ---: | ${models.map(() => '---: | ---:').join(' | ')} |`,
    ...sweep.runs.map((run) => `| ${run.options.clients} | ${run.models.map((m) => `${formatNumber(m.throughputRps)} | ${formatNumber(m.latencyMs.p99)}`).join(' | ')} |`),
    '',
    '![sweep chart](lab-io-sweep.svg)',
    '',
  ];
  await writeFile(paths.svg, renderLineChartSvg(sweepChart(sweep)));
  await writeFile(paths.markdown, lines.join('\n'));
  await writeFile(paths.json, `${JSON.stringify(sweep, null, 2)}\n`);
  return paths;
}
