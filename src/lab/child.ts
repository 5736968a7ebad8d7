import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GatehouseError } from '../core/index.js';

type Message = { type?: string } & Record<string, unknown>;

/**
 * Starts one of the lab's child entries. From TypeScript sources (tests, `npm run dev`) the child gets
 * the tsx loader; from the built package it runs the compiled .js directly.
 */
export function forkEntry(entry: 'model-main' | 'slow-server-main', args: string[]): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${entry}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  let execArgv: string[] = [];
  if (fromSource) {
    try {
      execArgv = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
    } catch (cause) {
      throw new GatehouseError('GH_LAB_UNSUPPORTED', { message: 'Running the lab from its TypeScript sources needs tsx (npm install).', cause });
    }
  }
  return fork(file, args, { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
}

/**
 * A child process spoken to over IPC: waits for a message of a given type ('progress' messages go to a
 * callback instead), and turns an early exit, an 'error' message or a timeout into a coded error that
 * carries the end of the child's stderr.
 */
export class ChildLink {
  private readonly waiters = new Map<string, { resolve(m: Message): void; reject(e: Error): void }>();
  private readonly inbox: Message[] = [];
  private stderrTail = '';
  private failure: Error | undefined;

  readonly child: ChildProcess;
  private readonly what: string;

  constructor(child: ChildProcess, what: string, onProgress: (message: Message) => void = () => undefined) {
    this.child = child;
    this.what = what;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
    });
    child.on('message', (raw) => {
      const message = (raw ?? {}) as Message;
      if (message.type === 'error') return this.fail(`${this.what} failed: ${String(message.message)}`);
      const waiter = this.waiters.get(message.type ?? '');
      if (waiter) {
        this.waiters.delete(message.type!);
        waiter.resolve(message);
      } else if (message.type === 'progress') {
        onProgress(message);
      } else {
        // Several messages can arrive in one read, before the caller asks for the next one.
        this.inbox.push(message);
      }
    });
    child.on('error', (error) => this.fail(`${this.what} could not run: ${error.message}`));
    child.on('close', (code, signal) => this.fail(`${this.what} exited (${signal ?? `code ${code}`})`));
  }

  /** Resolves with the next message of `type`; rejects if the child dies first or `timeoutMs` passes. */
  next(type: string, timeoutMs: number): Promise<Message> {
    const queued = this.inbox.findIndex((m) => m.type === type);
    if (queued >= 0) return Promise.resolve(this.inbox.splice(queued, 1)[0]!);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(type);
        this.kill();
        reject(new GatehouseError('GH_LAB_TIMEOUT', { message: `${this.what} took longer than ${timeoutMs} ms and was stopped.` }));
      }, timeoutMs);
      this.waiters.set(type, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  send(message: Message): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Resolves once the child has exited (killing it first unless `gracefully`). */
  async stop(gracefully = false): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (gracefully && this.child.connected) this.child.disconnect();
    else this.kill();
    const timer = setTimeout(() => this.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private fail(text: string): void {
    if (this.failure) return;
    const tail = this.stderrTail.trim();
    this.failure = new GatehouseError('GH_LAB_MODEL_FAILED', { message: tail ? `${text}: ${tail.split('\n').slice(-3).join(' | ')}` : text });
    for (const waiter of this.waiters.values()) waiter.reject(this.failure);
    this.waiters.clear();
  }
}
