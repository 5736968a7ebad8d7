/** One panel of a bar chart: one bar per subject, all on the panel's own scale. */
export interface BarPanel {
  title: string;
  unit?: string;
  bars: { label: string; value: number }[];
}

export interface BarChart {
  title: string;
  /** One or more lines (split on newlines) under the title: the workload, the machine. */
  subtitle?: string;
  panels: BarPanel[];
}

const WIDTH = 860;
const LABEL_WIDTH = 280;
const VALUE_WIDTH = 110;
const BAR_HEIGHT = 18;
const BAR_GAP = 6;
const PALETTE = ['#d1495b', '#edae49', '#00798c', '#30638e', '#6a4c93', '#8ac926', '#ff924c', '#1982c4'];

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A self-contained SVG of horizontal bar panels, written by hand (no chart library): each subject keeps
 * its colour across panels, so one can follow a model from throughput to latency to CPU.
 */
export function renderBarChartSvg(chart: BarChart): string {
  const parts: string[] = [];
  let y = 34;
  parts.push(`<text x="16" y="${y - 10}" font-size="18" font-weight="bold">${escapeXml(chart.title)}</text>`);
  for (const line of chart.subtitle?.split('\n') ?? []) {
    y += 8;
    parts.push(`<text x="16" y="${y}" font-size="12" fill="#555">${escapeXml(line)}</text>`);
    y += 8;
  }
  const colours = new Map<string, string>();
  for (const panel of chart.panels) {
    y += 16;
    const unit = panel.unit ? ` (${panel.unit})` : '';
    parts.push(`<text x="16" y="${y}" font-size="14" font-weight="bold">${escapeXml(panel.title + unit)}</text>`);
    y += 8;
    const finite = panel.bars.map((b) => (Number.isFinite(b.value) && b.value > 0 ? b.value : 0));
    const max = Math.max(...finite, 0);
    const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 16;
    panel.bars.forEach((bar, i) => {
      if (!colours.has(bar.label)) colours.set(bar.label, PALETTE[colours.size % PALETTE.length]!);
      const width = max > 0 ? Math.max(1, (finite[i]! / max) * span) : 1;
      const top = y + i * (BAR_HEIGHT + BAR_GAP);
      const mid = top + BAR_HEIGHT / 2 + 4;
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${mid}" font-size="12" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${top}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colours.get(bar.label)}"><title>${escapeXml(`${bar.label}: ${formatNumber(bar.value)}${panel.unit ? ` ${panel.unit}` : ''}`)}</title></rect>`,
        `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${mid}" font-size="12">${escapeXml(formatNumber(bar.value))}</text>`,
      );
    });
    y += panel.bars.length * (BAR_HEIGHT + BAR_GAP) + 8;
  }
  const height = y + 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The same panels as text bars, for a terminal. */
export function renderTextBars(chart: BarChart, barWidth = 36): string {
  const lines: string[] = [];
  const labelWidth = Math.max(...chart.panels.flatMap((p) => p.bars.map((b) => b.label.length)), 0);
  for (const panel of chart.panels) {
    lines.push('', `${panel.title}${panel.unit ? ` (${panel.unit})` : ''}`);
    const max = Math.max(...panel.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 0);
    for (const bar of panel.bars) {
      const n = max > 0 && bar.value > 0 ? Math.max(1, Math.round((bar.value / max) * barWidth)) : 0;
      lines.push(`  ${bar.label.padEnd(labelWidth)}  ${'█'.repeat(n)}${' '.repeat(barWidth - n)}  ${formatNumber(bar.value)}`);
    }
  }
  return lines.join('\n');
}
