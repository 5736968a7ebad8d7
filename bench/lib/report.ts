import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMachine, formatNumber, type MachineInfo } from '../../src/lab/index.js';
import { tableChartSvg } from './charts.js';
import { describeBound, evaluateTargets, ratioOf, tableRatios, type TargetOutcome } from './ratios.js';
import type { BenchSection, BenchTable, PeerStatus } from './types.js';

export interface AreaOutcome {
  area: string;
  title: string;
  status: 'ok' | 'missing' | 'failed' | 'not run';
  /** Why an area is missing or failed. */
  reason?: string;
  durationMs: number;
  section?: BenchSection;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  settings: { quick: boolean; full?: boolean; durationSec: number; connections: number; areas: string[] };
  peers: PeerStatus[];
  areas: AreaOutcome[];
}

/** Everything computed from the raw figures, as written to report.json next to them. */
export interface ComputedTable {
  area: string;
  table: number;
  title: string;
  ratios: Record<string, Record<string, number>>;
  targets: TargetOutcome[];
  chart?: string;
}

const esc = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function cell(table: BenchTable, row: BenchTable['rows'][number], key: string): string {
  const value = row.figures[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const ratio = ratioOf(table, row, key);
  return ratio === undefined ? formatNumber(value) : `${formatNumber(value)} (${formatNumber(ratio)}×)`;
}

function tableMarkdown(table: BenchTable, chart: string | undefined, targets: TargetOutcome[]): string[] {
  const lines = [`### ${table.title}`, ''];
  if (table.baseline) lines.push(`Ratios in parentheses are against **${table.baseline}**, measured in this same run.`, '');
  lines.push(`| subject | ${table.columns.map((c) => esc(c.label)).join(' | ')} |`, `| --- | ${table.columns.map(() => '---:').join(' | ')} |`);
  for (const row of table.rows) {
    const name = `${esc(row.subject)}${row.peer ? ' *(peer)*' : ''}${row.subject === table.baseline ? ' **(baseline)**' : ''}`;
    if (row.missing) lines.push(`| ${name} | **missing**: ${esc(row.missing)} |${' |'.repeat(Math.max(0, table.columns.length - 1))}`);
    else lines.push(`| ${name} | ${table.columns.map((c) => cell(table, row, c.key)).join(' | ')} |`);
  }
  lines.push('');
  if (targets.length > 0) {
    lines.push('Targets:', '');
    for (const t of targets) {
      const mark = t.status === 'met' ? '✅ met' : t.status === 'missed' ? '❌ missed' : '⚠️ not measured';
      const measured = t.ratio === undefined ? (t.reason ?? '') : `${formatNumber(t.ratio)}×`;
      lines.push(`- ${mark} — ${esc(t.label)}: ${esc(t.subject)} / ${esc(t.against)} on ${t.key} = ${measured} (needs ${describeBound(t)})`);
    }
    lines.push('');
  }
  for (const note of table.notes ?? []) lines.push(`> ${note}`, '');
  if (chart) lines.push(`![${esc(table.title)}](${chart})`, '');
  return lines;
}

/** Charts are written first so the Markdown can link them; returns what was computed per table. */
export function computeTables(report: BenchReport): ComputedTable[] {
  const out: ComputedTable[] = [];
  for (const outcome of report.areas) {
    outcome.section?.tables.forEach((table, i) => {
      out.push({ area: outcome.area, table: i, title: table.title, ratios: tableRatios(table), targets: evaluateTargets(table) });
    });
  }
  return out;
}

/** The whole report as Markdown; chart links are prefixed with `linkPrefix` (latest.md lives one level up). */
export function renderReportMarkdown(report: BenchReport, computed: ComputedTable[], linkPrefix = ''): string {
  const targets = computed.flatMap((c) => c.targets);
  const count = (s: TargetOutcome['status']) => targets.filter((t) => t.status === s).length;
  const lines = [
    '# gatehouse benchmark report',
    '',
    `Run ${report.startedAt} → ${report.finishedAt}${report.settings.quick ? ' (quick)' : ''}${report.settings.full ? ' (full)' : ''}; ${report.settings.durationSec} s per load, ${report.settings.connections} connections.`,
    '',
    `**Machine**: ${formatMachine(report.machine)}.`,
    '',
    'Every comparison is a ratio between figures measured in this run on this machine, never an absolute figure copied from elsewhere.',
    '',
    '## Summary',
    '',
    '| area | status | time | targets |',
    '| --- | --- | ---: | --- |',
  ];
  for (const a of report.areas) {
    const own = computed.filter((c) => c.area === a.area).flatMap((c) => c.targets);
    const met = own.filter((t) => t.status === 'met').length;
    const summary = own.length ? `${met}/${own.length} met` : '–';
    const status = a.status === 'ok' ? 'ok' : `**${a.status}**: ${esc(a.reason ?? '')}`;
    lines.push(`| ${a.area} | ${status} | ${formatNumber(a.durationMs / 1000)} s | ${summary} |`);
  }
  lines.push('', targets.length ? `Targets: ${count('met')} met, ${count('missed')} missed, ${count('not measured')} not measured.` : 'No targets were set for these areas.', '');
  lines.push('## Peers', '');
  if (report.peers.length === 0) lines.push('None checked (these areas name no peers, or set-up was skipped).');
  else lines.push('| peer | kind | status |', '| --- | --- | --- |');
  for (const p of report.peers) {
    const state = p.available ? `${p.version ?? 'present'}${p.installedNow ? ' (installed by this run)' : ''}` : `**missing**: ${esc(p.missing ?? '')}`;
    lines.push(`| ${p.name} | ${p.kind} | ${state} |`);
  }
  lines.push('');
  for (const a of report.areas) {
    lines.push(`## ${a.area} — ${a.title}`, '');
    if (a.status !== 'ok' || !a.section) {
      lines.push(`**${a.status}**: ${a.reason ?? 'no result'}`, '');
      continue;
    }
    for (const note of a.section.notes ?? []) lines.push(`> ${note}`, '');
    a.section.tables.forEach((table, i) => {
      const c = computed.find((x) => x.area === a.area && x.table === i);
      lines.push(...tableMarkdown(table, c?.chart ? `${linkPrefix}${c.chart}` : undefined, c?.targets ?? []));
    });
    for (const extra of a.section.charts ?? []) lines.push(`![${a.area} chart](${linkPrefix}${extra})`, '');
  }
  return lines.join('\n');
}

/**
 * Writes results/<stamp>/report.md, report.json (raw figures + computed ratios and targets) and
 * charts/*.svg, then results/latest.md pointing into that run. Returns the run directory's files.
 */
export async function writeReport(report: BenchReport, runDir: string, resultsDir: string, stamp: string): Promise<{ markdown: string; json: string; latest: string }> {
  await mkdir(join(runDir, 'charts'), { recursive: true });
  const computed = computeTables(report);
  for (const c of computed) {
    const table = report.areas.find((a) => a.area === c.area)!.section!.tables[c.table]!;
    const svg = tableChartSvg(c.area, table);
    if (!svg) continue;
    c.chart = `charts/${c.area}-${c.table + 1}.svg`;
    await writeFile(join(runDir, c.chart), svg);
  }
  const markdown = join(runDir, 'report.md');
  const json = join(runDir, 'report.json');
  const latest = join(resultsDir, 'latest.md');
  await writeFile(markdown, renderReportMarkdown(report, computed));
  await writeFile(json, `${JSON.stringify({ ...report, computed }, null, 2)}\n`);
  await writeFile(latest, renderReportMarkdown(report, computed, `${stamp}/`));
  await copyFile(json, join(resultsDir, 'latest.json'));
  return { markdown, json, latest };
}
