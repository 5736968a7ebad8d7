// lab/: the I/O models lab — one slow-I/O workload served under the four models of the study note
// (sync blocking, sync non-blocking, select-style multiplexing, the event loop), measured and charted.
// Its machine description, progress line and SVG bar charts are reused by the benchmark runner.
export { runIoLab } from './run-lab.js';
export type { IoLabHooks, IoLabProgress, IoLabResult, ModelResult } from './run-lab.js';
export { IO_LAB_DEFAULTS, IO_LAB_LIMITS, resolveIoLabOptions } from './options.js';
export type { IoLabInput, IoLabOptions } from './options.js';
export { MODEL_NAMES, MODELS } from './models/index.js';
export type { ModelInfo, ModelName } from './models/index.js';
export { ioLabChart, ioLabFindings, renderIoLabMarkdown, renderIoLabText, writeIoLabReport } from './report.js';
export { describeMachine, formatMachine } from './machine.js';
export type { MachineInfo } from './machine.js';
export { createProgressLine } from './progress-line.js';
export type { ProgressLine } from './progress-line.js';
export { escapeXml, formatNumber, renderBarChartSvg, renderTextBars } from './svg-chart.js';
export type { BarChart, BarPanel } from './svg-chart.js';
export { percentile, summarize } from './stats.js';
export type { LatencySummary } from './stats.js';
export { renderSweepText, runIoLabSweep, sweepChart, writeSweepReport } from './sweep.js';
export type { IoLabSweep } from './sweep.js';
export { renderLineChartSvg } from './line-chart.js';
export type { LineChart } from './line-chart.js';
