// The one way a test runs `gatehouse` as a person does: a real process from src/cli/main.ts (through
// tsx, so no build is needed), its output captured, a printed line awaited as it arrives.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HANG_GUARD_MS } from './wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr together, in the order they arrived. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /**
   * Resolves with the first match of `pattern` in the output as soon as it is printed; rejects when
   * the process ends without printing it, or after the hang guard.
   */
  printed(pattern: RegExp | string, options?: { timeoutMs?: number }): Promise<RegExpExecArray>;
  /** Resolves once the process has ended and its output is complete. */
  exited: Promise<CliRun>;
  /** SIGKILL if still running (for cleanups). */
  kill(): void;
}

export interface CliOptions {
  /** The environment (default: this process's); see `standaloneEnv`. */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
}

/** This process's environment without the shared services (so the CLI uses its own data directory), with `overrides` applied (undefined removes). */
export function standaloneEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Starts `gatehouse <args>` and returns at once. */
export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

  const printed = (pattern: RegExp | string, { timeoutMs = HANG_GUARD_MS } = {}): Promise<RegExpExecArray> => {
    const regex = typeof pattern === 'string' ? new RegExp(escape(pattern)) : pattern;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = regex.exec(output);
        if (match) settle(() => resolve(match));
      };
      const ended = (): void => settle(() => reject(new Error(`gatehouse ${args.join(' ')} ended without printing ${regex}:\n${output}`)));
      const timer = setTimeout(() => settle(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${regex} from gatehouse ${args.join(' ')}:\n${output}`))), timeoutMs);
      const settle = (done: () => void): void => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.off('close', ended);
        done();
      };
      // Listeners added after the capturing ones, so `output` already holds the chunk.
      const onData = (): void => check();
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('close', ended);
      check();
      if (child.exitCode !== null || child.signalCode !== null) void exited.then(ended, ended);
    });
  };

  return {
    child,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    printed,
    exited,
    kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')),
  };
}

/** Runs `gatehouse <args>` to its end. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).exited;
}

/** Runs `gatehouse <args>` to its end and rejects, with the run's code, stdout and stderr on the error, unless it exits 0. */
export async function runCliOrThrow(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const run = await runCli(args, options);
  if (run.code !== 0) throw Object.assign(new Error(`gatehouse ${args.join(' ')} exited with ${run.code ?? run.signal}:\n${run.stderr}`), run);
  return run;
}

/**
 * The timeout for a test that starts gatehouse processes: each compiles the CLI through tsx, seconds of
 * CPU on a loaded machine. A hang guard only; the test itself waits on output and conditions.
 */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;
