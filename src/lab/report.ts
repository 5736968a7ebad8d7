import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMachine } from './machine.js';
import type { IoLabResult, ModelResult } from './run-lab.js';
import { formatNumber, renderBarChartSvg, renderTextBars, type BarChart } from './svg-chart.js';

const COLUMNS: { label: string; value(m: ModelResult): string }[] = [
  { label: 'model', value: (m) => m.label },
  { label: 'req/s', value: (m) => formatNumber(m.throughputRps) },
  { label: 'p50 ms', value: (m) => formatNumber(m.latencyMs.p50) },
  { label: 'p99 ms', value: (m) => formatNumber(m.latencyMs.p99) },
  { label: 'CPU ms', value: (m) => formatNumber(m.cpuMs.total) },
  { label: 'CPU/wall', value: (m) => `${Math.round(m.cpuShare * 100)}%` },
  { label: 'max in flight', value: (m) => String(m.maxConcurrency) },
  { label: 'wall ms', value: (m) => formatNumber(m.wallMs) },
  { label: 'notes', value: notes },
];

function notes(m: ModelResult): string {
  const out: string[] = [];
  if (m.eagain !== undefined) out.push(`${m.eagain.toLocaleString('en-US')} EAGAIN`);
  if (m.waits !== undefined) out.push(`${m.waits} waits, ≤${m.maxReady ?? 0} ready at once`);
  out.push(`${m.voluntaryContextSwitches} sleeps`);
  return out.join(', ');
}

function workloadLine(result: IoLabResult): string {
  const { clients, delayMs, requests } = result.options;
  return `${clients} clients × ${requests} requests each, every answer ${delayMs} ms away (slow server over named pipes)`;
}

/** The chart's panels: what a blocking server loses (throughput, latency) and what busy polling burns. */
export function ioLabChart(result: IoLabResult): BarChart {
  const bars = (value: (m: ModelResult) => number) => result.models.map((m) => ({ label: m.label, value: value(m) }));
  return {
    title: 'gatehouse lab io — four I/O models, one workload',
    subtitle: `${workloadLine(result)}\n${formatMachine(result.machine)}`,
    panels: [
      { title: 'Throughput', unit: 'requests/s, higher is better', bars: bars((m) => m.throughputRps) },
      { title: 'p99 latency', unit: 'ms, lower is better', bars: bars((m) => m.latencyMs.p99) },
      { title: 'CPU time', unit: 'ms of the model process, lower is better', bars: bars((m) => m.cpuMs.total) },
      { title: 'Requests in flight at once', unit: 'seen by the slow server', bars: bars((m) => m.maxConcurrency) },
    ],
  };
}

/** Plain-language conclusions drawn from this run's own numbers (ratios within the run only). */
export function ioLabFindings(result: IoLabResult): string[] {
  const by = new Map(result.models.map((m) => [m.model, m]));
  const { clients, delayMs } = result.options;
  const out: string[] = [];
  const blocking = by.get('sync-blocking');
  const loop = by.get('async-nonblocking');
  const busy = by.get('sync-nonblocking');
  const select = by.get('async-blocking');
  if (blocking) {
    out.push(
      `Synchronous blocking held ${blocking.maxConcurrency} request in flight: it can never beat one answer per ${delayMs} ms ` +
        `(${formatNumber(1000 / delayMs)} req/s) and measured ${formatNumber(blocking.throughputRps)} req/s; a client waits for everyone ahead of it (p99 ${formatNumber(blocking.latencyMs.p99)} ms).`,
    );
  }
  if (loop) {
    out.push(
      `The event loop held ${loop.maxConcurrency} of ${clients} clients' requests in flight at once and measured ${formatNumber(loop.throughputRps)} req/s ` +
        `(ceiling ${formatNumber((clients * 1000) / delayMs)}) at p99 ${formatNumber(loop.latencyMs.p99)} ms, using ${formatNumber(loop.cpuMs.total)} ms of CPU.`,
    );
  }
  if (blocking && loop && blocking.throughputRps > 0) {
    out.push(`Same work, same slow server: the event loop served ${formatNumber(loop.throughputRps / blocking.throughputRps)}× the blocking model's throughput.`);
  }
  if (busy && loop && loop.cpuMs.total > 0) {
    out.push(
      `Busy polling kept up (${formatNumber(busy.throughputRps)} req/s) but burnt ${formatNumber(busy.cpuMs.total)} ms of CPU ` +
        `(${Math.round(busy.cpuShare * 100)}% of its wall time, ${(busy.eagain ?? 0).toLocaleString('en-US')} EAGAINs) — ${formatNumber(busy.cpuMs.total / loop.cpuMs.total)}× the event loop's CPU for the same answers.`,
    );
  }
  if (select) {
    out.push(
      `The select-style loop waited ${select.waits ?? 0} times for ${select.requests} answers (up to ${select.maxReady ?? 0} ready per wait): ` +
        `blocking, but on all descriptors at once, so it keeps pace with the event loop.`,
    );
  }
  return out;
}

function table(result: IoLabResult): { head: string[]; rows: string[][] } {
  return { head: COLUMNS.map((c) => c.label), rows: result.models.map((m) => COLUMNS.map((c) => c.value(m))) };
}

export function renderIoLabMarkdown(result: IoLabResult, chartFile?: string): string {
  const { head, rows } = table(result);
  const lines = [
    '# I/O models lab',
    '',
    `Run ${result.startedAt}: ${workloadLine(result)}.`,
    '',
    `Machine: ${formatMachine(result.machine)}.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    'CPU is user + system time of the model\'s own process (all its threads) while it served the workload; "sleeps" are its voluntary context switches.',
    '',
  ];
  if (chartFile) lines.push(`![I/O models chart](${chartFile})`, '');
  lines.push('## What happened', '', ...ioLabFindings(result).map((f) => `- ${f}`), '', '## How each model is built in Node', '');
  for (const m of result.models) lines.push(`- **${m.title}**: ${m.how}`);
  lines.push('');
  return lines.join('\n');
}

export function renderIoLabText(result: IoLabResult): string {
  const { head, rows } = table(result);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [
    `${workloadLine(result)}`,
    `machine: ${formatMachine(result.machine)}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    renderTextBars(ioLabChart(result)),
    '',
    ...ioLabFindings(result).map((f) => `• ${f}`),
    '',
    'How each model is built:',
    ...result.models.map((m) => `  ${m.title}: ${m.how}`),
  ].join('\n');
}

/** Writes lab-io.md, lab-io.json (every figure) and lab-io.svg into `outDir`; returns their paths. */
export async function writeIoLabReport(result: IoLabResult, outDir: string): Promise<{ markdown: string; json: string; svg: string }> {
  await mkdir(outDir, { recursive: true });
  const paths = { markdown: join(outDir, 'lab-io.md'), json: join(outDir, 'lab-io.json'), svg: join(outDir, 'lab-io.svg') };
  await writeFile(paths.svg, renderBarChartSvg(ioLabChart(result)));
  await writeFile(paths.markdown, renderIoLabMarkdown(result, 'lab-io.svg'));
  await writeFile(paths.json, `${JSON.stringify(result, null, 2)}\n`);
  return paths;
}
