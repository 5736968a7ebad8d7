import { renderBarChartSvg, type BarChart } from '../../src/lab/index.js';
import type { BenchTable } from './types.js';

/** One panel per column (at most six), one bar per measured row: the table as a picture. */
export function tableChart(area: string, table: BenchTable): BarChart | undefined {
  const rows = table.rows.filter((r) => !r.missing);
  const panels = table.columns.slice(0, 6).flatMap((column) => {
    const bars = rows
      .filter((r) => typeof r.figures[column.key] === 'number' && Number.isFinite(r.figures[column.key]))
      .map((r) => ({ label: r.peer ? `${r.subject} (peer)` : r.subject, value: r.figures[column.key]! }));
    return bars.length > 0 ? [{ title: column.label, bars }] : [];
  });
  if (panels.length === 0) return undefined;
  return { title: `${area}: ${table.title}`, ...(table.baseline ? { subtitle: `baseline: ${table.baseline} (same run)` } : {}), panels };
}

export function tableChartSvg(area: string, table: BenchTable): string | undefined {
  const chart = tableChart(area, table);
  return chart ? renderBarChartSvg(chart) : undefined;
}
