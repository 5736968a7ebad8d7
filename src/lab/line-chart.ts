import { escapeXml, formatNumber } from './svg-chart.js';

/** Panels of lines over the same x values (e.g. client counts), one line per subject. */
export interface LineChart {
  title: string;
  subtitle?: string;
  xLabel: string;
  panels: { title: string; unit?: string; series: { label: string; points: { x: number; y: number }[] }[] }[];
}

const WIDTH = 860;
const PLOT = { left: 70, right: 250, top: 34, height: 200, bottom: 44 };
const PALETTE = ['#d1495b', '#edae49', '#00798c', '#30638e', '#6a4c93', '#8ac926'];

/**
 * A hand-written SVG line chart. The x axis is categorical (the values measured, evenly spaced), so a
 * sweep of 1, 5, 10, 50 clients reads left to right without a log scale.
 */
export function renderLineChartSvg(chart: LineChart): string {
  const parts: string[] = [`<text x="16" y="24" font-size="18" font-weight="bold">${escapeXml(chart.title)}</text>`];
  let y = 32;
  for (const line of chart.subtitle?.split('\n') ?? []) {
    y += 14;
    parts.push(`<text x="16" y="${y}" font-size="12" fill="#555">${escapeXml(line)}</text>`);
  }
  const xs = [...new Set(chart.panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.x))))].sort((a, b) => a - b);
  const span = WIDTH - PLOT.left - PLOT.right;
  const xAt = (x: number) => PLOT.left + (xs.length <= 1 ? span / 2 : (xs.indexOf(x) / (xs.length - 1)) * span);
  for (const panel of chart.panels) {
    const top = y + PLOT.top;
    parts.push(`<text x="16" y="${top - 10}" font-size="14" font-weight="bold">${escapeXml(panel.title + (panel.unit ? ` (${panel.unit})` : ''))}</text>`);
    const max = Math.max(...panel.series.flatMap((s) => s.points.map((p) => (Number.isFinite(p.y) ? p.y : 0))), 0) * 1.1 || 1;
    const yAt = (v: number) => top + PLOT.height - (Math.max(0, v) / max) * PLOT.height;
    for (let i = 0; i <= 4; i += 1) {
      const v = (max * i) / 4;
      const gy = yAt(v).toFixed(1);
      parts.push(
        `<line x1="${PLOT.left}" x2="${PLOT.left + span}" y1="${gy}" y2="${gy}" stroke="#ddd"/>`,
        `<text x="${PLOT.left - 6}" y="${gy}" font-size="11" text-anchor="end" dominant-baseline="middle">${escapeXml(formatNumber(v))}</text>`,
      );
    }
    for (const x of xs) {
      parts.push(`<text x="${xAt(x).toFixed(1)}" y="${top + PLOT.height + 16}" font-size="11" text-anchor="middle">${escapeXml(String(x))}</text>`);
    }
    parts.push(`<text x="${PLOT.left + span / 2}" y="${top + PLOT.height + 32}" font-size="12" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
    panel.series.forEach((series, i) => {
      const colour = PALETTE[i % PALETTE.length]!;
      const points = series.points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
      const path = points.map((p) => `${xAt(p.x).toFixed(1)},${yAt(p.y).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      for (const p of points) {
        parts.push(
          `<circle cx="${xAt(p.x).toFixed(1)}" cy="${yAt(p.y).toFixed(1)}" r="3" fill="${colour}"><title>${escapeXml(`${series.label}, ${p.x}: ${formatNumber(p.y)}`)}</title></circle>`,
        );
      }
      const ly = top + 10 + i * 18;
      parts.push(
        `<rect x="${PLOT.left + span + 16}" y="${ly - 6}" width="14" height="4" fill="${colour}"/>`,
        `<text x="${PLOT.left + span + 36}" y="${ly}" font-size="12">${escapeXml(series.label)}</text>`,
      );
    });
    y = top + PLOT.height + PLOT.bottom;
  }
  const height = y + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
