import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatClock } from '../lib/format.js';
import type { RateSeries } from '../lib/series.js';
import { prefs } from '../state/prefs.js';
import { useStore } from '../state/store.js';

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
// Colour alone fails for colour-blind readers and overlapping lines: each backend also gets its own dash.
const DASHES: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 5]];

/** Requests per second per backend as lines; rebuilt only when the set of backends changes. */
export function RpsChart({ series, label }: { series: RateSeries; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const keys = [...series.rates.keys()].sort();
  // Canvas has no currentColor: the axes take the page's text colour, and are redrawn on a theme switch.
  const { theme, lang } = useStore(prefs);
  const signature = `${keys.join('|')}#${theme}#${lang}`;

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const width = () => Math.max(260, element.clientWidth);
    const ink = getComputedStyle(element).color || '#111827';
    const options: uPlot.Options = {
      width: width(),
      height: 240,
      series: [
        { value: (_u, v) => (v == null ? '—' : formatClock(v * 1000, lang)) },
        ...keys.map((key, i) => ({ label: key, stroke: COLOURS[i % COLOURS.length]!, dash: DASHES[i % DASHES.length]!, width: 2, points: { show: true, size: 4 }, spanGaps: false })),
      ],
      axes: [
        // The 24-hour clock with seconds, in the page's language, like every other time on the site.
        { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.25)' }, values: (_u, splits) => splits.map((v) => formatClock(v * 1000, lang)) },
        { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.25)' }, label: 'req/s' },
      ],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
      legend: { live: false },
    };
    plot.current = new uPlot(options, [[], ...keys.map(() => [])], element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuild only when the backends change; data updates go through setData below.
  }, [signature]);

  useEffect(() => {
    plot.current?.setData([series.times, ...keys.map((key) => series.rates.get(key) ?? [])] as uPlot.AlignedData);
  });

  return <div ref={host} class="chart" role="img" aria-label={label} data-testid="rps-chart" />;
}
