import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GatehouseError } from '../../core/index.js';
import type { Command } from '../command.js';

const usage = `Usage: gatehouse bench [AREA...] [--quick] [--duration SEC] [--connections N] [--skip-setup]

Runs the project's benchmarks (sessions, jwt, oauth, realtime, balancer, lab, event-loop) next to their
peers and writes one report under bench/results/ (same as npm run bench). Needs the source checkout
with its dev dependencies; see bench/run.ts --help for every flag.`;

export const command: Command = {
  name: 'bench',
  summary: 'Run every benchmark against its peers and write one report',
  usage,
  async run(argv) {
    // src/cli/commands/ and dist/cli/commands/ are both three levels below the package root.
    const root = new URL('../../../', import.meta.url);
    const runner = fileURLToPath(new URL('bench/run.ts', root));
    let loader: string;
    try {
      loader = pathToFileURL(createRequire(new URL('package.json', root)).resolve('tsx')).href;
    } catch (cause) {
      throw new GatehouseError('GH_LAB_BENCH_UNAVAILABLE', { cause });
    }
    if (!existsSync(runner)) throw new GatehouseError('GH_LAB_BENCH_UNAVAILABLE');
    const child = spawn(process.execPath, ['--import', loader, runner, ...argv], { stdio: 'inherit', cwd: fileURLToPath(root) });
    const stop = (signal: NodeJS.Signals) => child.kill(signal);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return new Promise<number>((resolve) => {
      child.on('error', () => resolve(1));
      child.on('exit', (code, signal) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(code ?? (signal ? 1 : 0));
      });
    });
  },
};
