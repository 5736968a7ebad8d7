import { ChildLink, forkEntry } from './child.js';
import { createFifoSet } from './fifos.js';
import { describeMachine, type MachineInfo } from './machine.js';
import { MODELS, type ModelCounters, type ModelName, type ModelRunConfig } from './models/index.js';
import { modelTimeoutMs, resolveIoLabOptions, type IoLabInput } from './options.js';
import { summarize, type LatencySummary } from './stats.js';

export interface ModelResult {
  model: ModelName;
  title: string;
  label: string;
  how: string;
  requests: number;
  wallMs: number;
  throughputRps: number;
  latencyMs: LatencySummary;
  /** CPU time of the model's process (user + system, all its threads) while it served the workload. */
  cpuMs: { user: number; system: number; total: number };
  /** CPU time per wall-clock time: 1.0 is one core busy all along. */
  cpuShare: number;
  /** Most requests the slow server held at once while this model ran. */
  maxConcurrency: number;
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
  eagain?: number;
  waits?: number;
  maxReady?: number;
}

export interface IoLabResult {
  options: { clients: number; delayMs: number; requests: number };
  startedAt: string;
  machine: MachineInfo;
  models: ModelResult[];
}

export interface IoLabProgress {
  model: ModelName;
  label: string;
  /** 1-based position of this model in the run, and how many models run. */
  index: number;
  count: number;
  done: number;
  total: number;
}

export interface IoLabHooks {
  onProgress?(progress: IoLabProgress): void;
}

const START_TIMEOUT_MS = 30_000;

/**
 * Runs the workload under each model in turn: one slow-server process for the whole run, one fresh
 * process per model (so its CPU time is its own and a stuck model can be killed), all talking over
 * named pipes in a private temporary directory that is removed afterwards.
 */
export async function runIoLab(input: IoLabInput = {}, hooks: IoLabHooks = {}): Promise<IoLabResult> {
  const options = resolveIoLabOptions(input);
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  const fifos = await createFifoSet(options.clients);
  const total = options.clients * options.requests;
  let current: Omit<IoLabProgress, 'done'> | undefined;
  const server = new ChildLink(
    forkEntry('slow-server-main', [fifos.dir, String(options.clients), String(options.delayMs)]),
    'the slow server',
    (message) => {
      if (message.type === 'progress' && current) hooks.onProgress?.({ ...current, done: Number(message.answered) });
    },
  );
  const models: ModelResult[] = [];
  try {
    await server.next('ready', START_TIMEOUT_MS);
    for (const [i, model] of options.models.entries()) {
      current = { model, label: MODELS[model].label, index: i + 1, count: options.models.length, total };
      hooks.onProgress?.({ ...current, done: 0 });
      const config: ModelRunConfig = { model, dir: fifos.dir, clients: options.clients, requests: options.requests };
      const runner = new ChildLink(forkEntry('model-main', [JSON.stringify(config)]), `the ${MODELS[model].title} model`);
      let outcome: ModelOutcome;
      try {
        await runner.next('ready', START_TIMEOUT_MS);
        outcome = (await runner.next('result', modelTimeoutMs(options))) as unknown as ModelOutcome;
      } finally {
        await runner.stop(true);
      }
      server.send({ type: 'reset' });
      const seen = await server.next('stats', START_TIMEOUT_MS);
      hooks.onProgress?.({ ...current, done: total });
      models.push(toResult(model, outcome, Number(seen.maxInFlight)));
    }
  } finally {
    current = undefined;
    await server.stop(true);
    await fifos.remove();
  }
  return { options: { clients: options.clients, delayMs: options.delayMs, requests: options.requests }, startedAt, machine, models };
}

interface ModelOutcome {
  counters: ModelCounters;
  wallMs: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
}

function toResult(model: ModelName, outcome: ModelOutcome, maxConcurrency: number): ModelResult {
  const info = MODELS[model];
  const { counters } = outcome;
  const user = outcome.cpuUserUs / 1000;
  const system = outcome.cpuSystemUs / 1000;
  const result: ModelResult = {
    model,
    title: info.title,
    label: info.label,
    how: info.how,
    requests: counters.latenciesMs.length,
    wallMs: outcome.wallMs,
    throughputRps: outcome.wallMs > 0 ? (counters.latenciesMs.length * 1000) / outcome.wallMs : 0,
    latencyMs: summarize(counters.latenciesMs),
    cpuMs: { user, system, total: user + system },
    cpuShare: outcome.wallMs > 0 ? (user + system) / outcome.wallMs : 0,
    maxConcurrency,
    voluntaryContextSwitches: outcome.voluntaryContextSwitches,
    involuntaryContextSwitches: outcome.involuntaryContextSwitches,
  };
  if (counters.eagain !== undefined) result.eagain = counters.eagain;
  if (counters.waits !== undefined) result.waits = counters.waits;
  if (counters.maxReady !== undefined) result.maxReady = counters.maxReady;
  return result;
}
