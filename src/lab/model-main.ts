// Child-process entry of one model run: `model-main <json ModelRunConfig>`; it reports one 'result'
// (or 'error') message. A process of its own, so its CPU time is the model's alone.
import { performance } from 'node:perf_hooks';
import { PREPARE, type ModelRunConfig } from './models/index.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ModelRunConfig;

function finish(message: object, code: number): void {
  if (!process.send) process.exit(code);
  process.send(message, () => process.exit(code));
}

try {
  const prepared = PREPARE[config.model](config);
  // Descriptors are open: from here on the run is timed, and the parent's time budget starts.
  await new Promise<void>((resolve) => (process.send ? process.send({ type: 'ready' }, () => resolve()) : resolve()));
  const usage = process.resourceUsage();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const counters = await prepared.run();
  const wallMs = performance.now() - started;
  // process-wide: every thread of this process (main, libuv pool, GC) counts.
  const cpuUsed = process.cpuUsage(cpu);
  const after = process.resourceUsage();
  prepared.close();
  finish(
    {
      type: 'result',
      counters,
      wallMs,
      cpuUserUs: cpuUsed.user,
      cpuSystemUs: cpuUsed.system,
      voluntaryContextSwitches: after.voluntaryContextSwitches - usage.voluntaryContextSwitches,
      involuntaryContextSwitches: after.involuntaryContextSwitches - usage.involuntaryContextSwitches,
    },
    0,
  );
} catch (error) {
  finish({ type: 'error', message: error instanceof Error ? error.message : String(error) }, 1);
}
