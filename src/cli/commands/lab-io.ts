import { join } from 'node:path';
import {
  createProgressLine,
  IO_LAB_DEFAULTS,
  MODEL_NAMES,
  renderIoLabText,
  renderSweepText,
  runIoLab,
  runIoLabSweep,
  writeIoLabReport,
  writeSweepReport,
  type IoLabProgress,
  type ModelName,
} from '../../lab/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';

const usage = `Usage: gatehouse lab io [--clients N | --sweep N,N,...] [--delay-ms D] [--requests R] [--models LIST] [--out DIR] [--json]

Serves one workload — N clients, each sending R requests in turn to a slow server that answers after
D ms — under the four I/O models (synchronous blocking, synchronous non-blocking, select-style
multiplexing, the event loop) and measures throughput, p50/p99 latency and CPU time of each.

  --clients N     concurrent clients (default ${IO_LAB_DEFAULTS.clients}, at most 256)
  --delay-ms D    how long the slow server takes to answer (default ${IO_LAB_DEFAULTS.delayMs})
  --requests R    requests per client (default ${IO_LAB_DEFAULTS.requests}); the blocking model needs N × R × D ms
  --sweep LIST    run at each of these client counts (e.g. 1,5,10,25,50) and chart how each model scales
  --models LIST   comma-separated subset of: ${MODEL_NAMES.join(', ')}
  --out DIR       where lab-io.md, lab-io.json and lab-io.svg go (default .gatehouse/lab/io-<time>)
  --json          print the raw result as JSON instead of the table`;

function wholeNumber(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number.\n\n${usage}`);
  return Number(value);
}

export const command: Command = {
  name: 'lab io',
  summary: 'Run the I/O models lab: four ways to wait on slow I/O, measured',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        clients: { type: 'string' },
        'delay-ms': { type: 'string' },
        requests: { type: 'string' },
        models: { type: 'string' },
        sweep: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}\n\n${usage}`);
    const models = typeof values.models === 'string' ? values.models.split(',').map((m) => m.trim()) : undefined;
    const unknown = models?.find((m) => !(MODEL_NAMES as readonly string[]).includes(m));
    if (unknown !== undefined) throw new UsageError(`Unknown model "${unknown}"; choose from ${MODEL_NAMES.join(', ')}.\n\n${usage}`);
    const progress = createProgressLine(process.stderr);
    let step = '';
    const onProgress = (p: IoLabProgress): void => {
      const line = `${step}[${p.index}/${p.count}] ${p.label}: ${p.done}/${p.total} answered`;
      if (p.done === p.total) progress.done(line);
      else progress.update(line);
    };
    const workload = {
      delayMs: wholeNumber('delay-ms', values['delay-ms']),
      requests: wholeNumber('requests', values.requests),
      models: models as ModelName[] | undefined,
    };
    if (typeof values.sweep === 'string') {
      if (values.clients !== undefined) throw new UsageError(`Use either --clients or --sweep.\n\n${usage}`);
      const counts = values.sweep.split(',').map((n) => wholeNumber('sweep', n.trim())!);
      const sweep = await runIoLabSweep(counts, workload, { onProgress, onStep: (n, i, of) => (step = `clients ${n} (${i}/${of}) `) });
      const outDir = typeof values.out === 'string' ? values.out : join('.gatehouse', 'lab', `io-sweep-${sweep.runs[0]!.startedAt.replace(/[:.]/g, '-')}`);
      const files = await writeSweepReport(sweep, outDir);
      if (values.json) console.log(JSON.stringify(sweep, null, 2));
      else console.log(`${renderSweepText(sweep)}\n\nreport: ${files.markdown}\nchart:  ${files.svg}\nraw:    ${files.json}`);
      return 0;
    }
    const result = await runIoLab({ ...workload, clients: wholeNumber('clients', values.clients) }, { onProgress });
    progress.done();
    const outDir = typeof values.out === 'string' ? values.out : join('.gatehouse', 'lab', `io-${result.startedAt.replace(/[:.]/g, '-')}`);
    const files = await writeIoLabReport(result, outDir);
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(renderIoLabText(result));
      console.log(`\nreport: ${files.markdown}\nchart:  ${files.svg}\nraw:    ${files.json}`);
    }
    return 0;
  },
};
