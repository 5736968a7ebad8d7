// The node's buffered log destination: info lines wait (at most the flush delay), warnings and errors
// never do, and a process that ends — normally, by process.exit, by an uncaught exception — writes
// every line it logged first.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBufferedDestination, LOG_FLUSH_DELAY_MS } from './log-destination.js';

const line = (level: number, n: number) => `{"level":${level},"time":1,"msg":"line ${n}"}\n`;

async function fileHolds(path: string, count: number): Promise<string[]> {
  for (;;) {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the buffered log destination', () => {
  let dir: string;
  let fd: number;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-logdest-'));
    path = join(dir, 'out.log');
    fd = openSync(path, 'a');
  });
  afterEach(async () => {
    vi.useRealTimers();
    closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  });

  it('holds info lines until the flush delay, then writes them in order', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const destination = createBufferedDestination(fd);
    destination.write(line(30, 1));
    destination.write(line(20, 2));
    expect(destination.pending()).toBe(line(30, 1).length + line(20, 2).length);
    vi.advanceTimersByTime(LOG_FLUSH_DELAY_MS - 1);
    expect(destination.pending()).toBeGreaterThan(0);
    vi.advanceTimersByTime(1);
    expect(destination.pending()).toBe(0);
    expect(await fileHolds(path, 2)).toEqual([line(30, 1).trim(), line(20, 2).trim()]);
  });

  it('writes a warning or an error at once, with every line before it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const destination = createBufferedDestination(fd);
    destination.write(line(30, 1));
    destination.write(line(40, 2));
    expect(destination.pending()).toBe(0);
    destination.write(line(30, 3));
    destination.write(line(50, 4));
    expect(destination.pending()).toBe(0);
    expect(await fileHolds(path, 4)).toEqual([1, 2, 3, 4].map((n, i) => line([30, 40, 30, 50][i]!, n).trim()));
  });

  it('writes at once when 16 KiB are waiting, without waiting for the delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const destination = createBufferedDestination(fd);
    let n = 0;
    let total = 0;
    do {
      const text = line(30, ++n);
      destination.write(text);
      total += text.length;
    } while (destination.pending() > 0 && total < 20_000);
    expect(destination.pending()).toBe(0);
    expect(total).toBeGreaterThanOrEqual(16 * 1024);
    expect(total).toBeLessThan(16 * 1024 + 64);
    expect((await fileHolds(path, n)).length).toBe(n);
  });

  // Each way a process ends, in a real child process writing to a real pipe.
  for (const ending of ['the event loop empties', 'process.exit', 'an uncaught exception', 'SIGTERM handled by exiting']) {
    it(`writes every waiting line when ${ending}`, async () => {
      const body = [
        "import { createLogger } from './src/core/index.ts';",
        "const logger = createLogger({ name: 'ending' });",
        'for (let i = 0; i < 50; i++) logger.info({ i }, "line");',
        ending === 'process.exit' ? 'process.exit(3);' : '',
        ending === 'an uncaught exception' ? 'setImmediate(() => { throw new Error("boom"); });' : '',
        ending === 'SIGTERM handled by exiting'
          ? 'process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000); process.stderr.write("ready\\n");'
          : '',
      ].join('\n');
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (ending === 'SIGTERM handled by exiting' && stderr.includes('ready')) child.kill('SIGTERM');
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe({ 'the event loop empties': 0, 'process.exit': 3, 'an uncaught exception': 1, 'SIGTERM handled by exiting': 0 }[ending]);
      const lines = stdout.split('\n').filter(Boolean).map((text) => JSON.parse(text) as { i: number });
      expect(lines.map((l) => l.i)).toEqual([...Array(50).keys()]);
    }, 60_000);
  }
});
