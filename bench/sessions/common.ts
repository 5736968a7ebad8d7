// Shared by the sessions benchmark and its child processes: the bench user, where Redis is, the line
// a server child prints when it is ready, and starting/stopping those children.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const BENCH_USER = { email: 'bench-sessions@example.test', password: 'correct horse battery staple bench' };

export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What a server child prints once it listens: GET `path` with `cookie` must answer 200. */
export interface ServerLine {
  port: number;
  path: string;
  cookie: string;
  /** The same work on a plain Fastify server, only the authentication differing (gatehouse children). */
  bench?: { port: number; path: string };
}

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs a TypeScript script in its own Node process; resolves with its first JSON stdout line. */
export async function startChild<T>(script: string, args: string[], nodeArgs: string[] = []): Promise<{ info: T; child: ChildProcess; lines: AsyncIterable<string> }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', tsx, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code}`))));
  exited.catch(() => {});
  for (;;) {
    const next = await Promise.race([iterator.next(), exited]);
    if (next.done) throw new Error(`${script} ${args.join(' ')} closed its output`);
    if (next.value.startsWith('{')) {
      const rest: AsyncIterable<string> = { [Symbol.asyncIterator]: () => iterator };
      return { info: JSON.parse(next.value) as T, child, lines: rest };
    }
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // A child stuck in its clean-up must not hold the run.
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
