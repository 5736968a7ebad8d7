// `npm run bench [-- area...] [--quick]` (also `gatehouse bench`): runs every benchmark area the
// project has — or the ones named — next to its peers, in one run, with progress on one line, and
// writes one report under bench/results/<timestamp>/ plus bench/results/latest.md.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createProgressLine, describeMachine } from '../src/lab/index.js';
import { AREAS, AREA_NAMES, type AreaSpec } from './lib/areas.js';
import { writeReport, type AreaOutcome, type BenchReport } from './lib/report.js';
import type { BenchContext, BenchSection, PeerStatus } from './lib/types.js';
import { setupPeers } from './setup.js';

const usage = `Usage: npm run bench [-- AREA...] [--quick] [--full] [--duration SEC] [--connections N] [--skip-setup] [--no-install] [--results DIR]

Areas (default: all, in this order): ${AREA_NAMES.join(', ')}
  --quick          short loads (3 s unless --duration) and smaller workloads
  --full           also the slower tables kept for comparison with earlier runs (sessions: every
                   store behind a plain route and the store sizes up to 1M; jwt: ES256 and RS256)
  --duration SEC   seconds each measured load lasts (default 10, quick 3)
  --connections N  concurrent connections of HTTP loads (default 64)
  --skip-setup     do not look for or install peers
  --no-install     look for peers but install nothing (missing ones are reported as missing)
  --results DIR    where results go (default bench/results)
  --area-timeout S give up on an area after S seconds (default 1800, quick 600)`;

export interface RunOptions {
  areas: string[];
  quick: boolean;
  full?: boolean;
  durationSec: number;
  connections: number;
  setup: 'install' | 'check' | 'skip';
  resultsDir: string;
  areaTimeoutSec: number;
  /** Where area modules are looked up (default: this directory). */
  areaDir?: string;
  /** Replaces the static list (tests). */
  areaList?: AreaSpec[];
  stream?: NodeJS.WritableStream;
}

export function parseRunArgs(argv: string[]): RunOptions | { help: true } | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        quick: { type: 'boolean' },
        full: { type: 'boolean' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        'skip-setup': { type: 'boolean' },
        'no-install': { type: 'boolean' },
        results: { type: 'string' },
        'area-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const unknown = positionals.filter((a) => !AREA_NAMES.includes(a));
  if (unknown.length > 0) return { error: `Unknown area: ${unknown.join(', ')} (areas: ${AREA_NAMES.join(', ')})` };
  const num = (name: string, value: string | undefined, fallback: number): number | string => {
    if (value === undefined) return fallback;
    return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : `--${name} must be a positive whole number`;
  };
  const quick = values.quick === true;
  const durationSec = num('duration', values.duration, quick ? 3 : 10);
  const connections = num('connections', values.connections, 64);
  const areaTimeoutSec = num('area-timeout', values['area-timeout'], quick ? 600 : 1800);
  for (const v of [durationSec, connections, areaTimeoutSec]) if (typeof v === 'string') return { error: v };
  return {
    areas: positionals.length > 0 ? AREA_NAMES.filter((a) => positionals.includes(a)) : [...AREA_NAMES],
    quick,
    full: values.full === true,
    durationSec: durationSec as number,
    connections: connections as number,
    setup: values['skip-setup'] ? 'skip' : values['no-install'] ? 'check' : 'install',
    resultsDir: values.results ?? fileURLToPath(new URL('./results/', import.meta.url)),
    areaTimeoutSec: areaTimeoutSec as number,
  };
}

function timestamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

async function runArea(spec: AreaSpec, dir: string, ctx: BenchContext, timeoutSec: number): Promise<Omit<AreaOutcome, 'durationMs'>> {
  const base = { area: spec.area, title: spec.title };
  const file = join(dir, spec.module);
  if (!existsSync(file)) return { ...base, status: 'missing', reason: `bench/${spec.module} is not written yet` };
  let timer: NodeJS.Timeout | undefined;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { run?: (ctx: BenchContext) => Promise<BenchSection> };
    if (typeof mod.run !== 'function') return { ...base, status: 'failed', reason: `bench/${spec.module} exports no run(ctx)` };
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gave up after ${timeoutSec} s`)), timeoutSec * 1000);
    });
    const section = await Promise.race([mod.run(ctx), timeout]);
    return { ...base, status: 'ok', section };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, status: 'failed', reason: message.split('\n')[0]!.slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/** One whole benchmark run; resolves with the report and where it was written. */
export async function runBench(options: RunOptions): Promise<{ report: BenchReport; files: { markdown: string; json: string; latest: string } }> {
  const stream = options.stream ?? process.stderr;
  const progress = createProgressLine(stream);
  const list = options.areaList ?? AREAS;
  const specs = options.areas.map((a) => list.find((s) => s.area === a)).filter((s): s is AreaSpec => s !== undefined);
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  const stamp = timestamp(startedAt);
  const runDir = join(options.resultsDir, stamp);

  let peers: Record<string, PeerStatus> = {};
  if (options.setup !== 'skip') {
    progress.update('setup: looking for peers');
    peers = setupPeers({ peers: specs.flatMap((s) => s.peers), install: options.setup === 'install', log: (m) => progress.update(m) });
    const missing = Object.values(peers).filter((p) => !p.available);
    progress.done(`setup: ${Object.keys(peers).length - missing.length} peers ready${missing.length ? `, missing: ${missing.map((p) => p.name).join(', ')}` : ''}`);
  }

  const areas: AreaOutcome[] = [];
  for (const [i, spec] of specs.entries()) {
    const prefix = `[${i + 1}/${specs.length}] ${spec.area}`;
    progress.update(`${prefix}: starting`);
    const ctx: BenchContext = {
      durationSec: options.durationSec,
      connections: options.connections,
      progress: (message) => progress.update(`${prefix}: ${message}`),
      outDir: runDir,
      quick: options.quick,
      full: options.full === true,
      peers,
    };
    const started = Date.now();
    const outcome = await runArea(spec, options.areaDir ?? fileURLToPath(new URL('.', import.meta.url)), ctx, options.areaTimeoutSec);
    const durationMs = Date.now() - started;
    areas.push({ ...outcome, durationMs });
    progress.done(`${prefix}: ${outcome.status}${outcome.reason ? ` — ${outcome.reason}` : ''} (${Math.round(durationMs / 1000)} s)`);
    // Rewritten after every area, so a run that is stopped part-way still leaves a report of what finished.
    if (i < specs.length - 1) await writeReport(snapshot(areas, specs.slice(i + 1)), runDir, options.resultsDir, stamp);
  }

  function snapshot(done: AreaOutcome[], pending: AreaSpec[]): BenchReport {
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      settings: { quick: options.quick, full: options.full === true, durationSec: options.durationSec, connections: options.connections, areas: specs.map((s) => s.area) },
      peers: Object.values(peers),
      areas: [
        ...done,
        ...pending.map((s): AreaOutcome => ({ area: s.area, title: s.title, status: 'not run', reason: 'the run was stopped before this area', durationMs: 0 })),
      ],
    };
  }

  const report = snapshot(areas, []);
  const files = await writeReport(report, runDir, options.resultsDir, stamp);
  return { report, files };
}

async function main(): Promise<number> {
  const parsed = parseRunArgs(process.argv.slice(2));
  if ('help' in parsed) {
    console.log(usage);
    return 0;
  }
  if ('error' in parsed) {
    console.error(`${parsed.error}\n\n${usage}`);
    return 2;
  }
  const { report, files } = await runBench(parsed);
  console.log(`\nreport: ${files.markdown}\nlatest: ${files.latest}\nraw:    ${files.json}`);
  return report.areas.some((a) => a.status === 'failed') ? 1 : 0;
}

// Run only as the entry point (tests import runBench without starting a run).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => {
      // Areas may leave sockets or children behind; the report is written, so leave now.
      process.exit(code);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
