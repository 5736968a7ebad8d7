// A/B harness for the L7 proxy's speed work: starts HAProxy http (nbthread 1) and one gatehouse L7
// per compiled build given as label=DIR, all in front of the same two backends, then loads each for a
// short slice in turn (rotating the order) and prints medians and the ratio to HAProxy. The machine is
// shared: interleaved slices let a neighbour's burst hit every subject alike. It also prints the CPU
// time each proxy process spent per request (from /proc): far steadier than req/s on a busy machine.
//   npx tsx bench/balancer/compare.ts [--rounds 7] [--seconds 3] [--connections 64] base=DIR new=DIR
// With several builds it also prints each one's paired ratio to the first, and the load average.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' } } });
const rounds = Number(values.rounds ?? 7);
const seconds = Number(values.seconds ?? 3);
const connections = Number(values.connections ?? 64);
const children: ChildProcess[] = [];

function start(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } });
  children.push(child);
  return child;
}
function firstPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('{') && resolve((JSON.parse(l) as { port: number }).port)));
}
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
async function answers(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      s.once('data', (d: Buffer) => (s.destroy(), resolve(d.toString().startsWith('HTTP/1.1 200'))));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} never answered`);
}
/** utime + stime of a process, in clock ticks (100 per second on Linux). */
function cpuTicks(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}
function wrk(port: number): number {
  const out = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  const errs = /Non-2xx|Socket errors/.exec(out.stdout);
  if (errs) console.error(`port ${port}: ${out.stdout.split('\n').filter((l) => /Non-2xx|Socket errors/.test(l)).join('; ')}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1] ?? NaN);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'gh-ab-'));
const loadBefore = loadavg();
try {
  const backend = join(ROOT, 'bench/balancer/backend.ts');
  const b1 = start(process.execPath, ['--import', 'tsx', backend, 'one']);
  const b2 = start(process.execPath, ['--import', 'tsx', backend, 'two']);
  const ports = [await firstPort(b1), await firstPort(b2)];
  const subjects: { label: string; port: number; pid: number | undefined }[] = [];
  const hp = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, ['global', '  nbthread 1', '  maxconn 4000', 'defaults', '  mode http', '  timeout connect 5s', '  timeout client 60s', '  timeout server 60s', '  option http-keep-alive', '  http-reuse always', 'frontend fe', `  bind 127.0.0.1:${hp}`, '  default_backend be', 'backend be', '  balance roundrobin', ...ports.map((p, i) => `  server b${i} 127.0.0.1:${p}`), ''].join('\n'));
  const haproxy = start('haproxy', ['-db', '-f', cfg]);
  subjects.push({ label: 'HAProxy http', port: hp, pid: haproxy.pid });
  for (const spec of positionals) {
    const [label, build] = spec.split('=') as [string, string];
    const port = await freePort();
    const args = [join(build, 'cli/main.js'), 'balance', '--listen', `127.0.0.1:${port}`, '--admin', 'off', '--mode', 'http', '--algorithm', 'round-robin', ...ports.flatMap((p) => ['--backend', `127.0.0.1:${p}`])];
    subjects.push({ label, port, pid: start(process.execPath, args).pid });
  }
  for (const s of subjects) await answers(s.port);
  for (const s of subjects) wrk(s.port); // warm-up
  const results = new Map(subjects.map((s) => [s.label, [] as number[]]));
  const cpu = new Map(subjects.map((s) => [s.label, [] as number[]]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) {
      const s = subjects[(i + r) % subjects.length]!;
      const before = cpuTicks(s.pid);
      const rps = wrk(s.port);
      results.get(s.label)!.push(rps);
      // µs of the proxy's CPU per request: ticks are 10 ms.
      cpu.get(s.label)!.push(((cpuTicks(s.pid) - before) * 10_000) / (rps * seconds));
    }
  }
  const loadAfter = loadavg();
  const hap = median(results.get('HAProxy http')!);
  const hapCpu = median(cpu.get('HAProxy http')!);
  for (const [label, xs] of results) {
    const m = median(xs);
    const c = median(cpu.get(label)!);
    console.log(
      `${label.padEnd(16)} median ${Math.round(m)} req/s  ×HAProxy ${(m / hap).toFixed(2)}  [${xs.map(Math.round).join(' ')}]` +
        `  CPU ${c.toFixed(1)} µs/req (HAProxy/this ${(hapCpu / c).toFixed(2)})`,
    );
  }
  // Paired: each round's figure over the first build's in the same round (a neighbour's burst that
  // lasts a round hits both), then the median over rounds.
  const first = positionals[0]?.split('=')[0];
  if (first !== undefined) {
    for (const label of results.keys()) {
      if (label === first || label === 'HAProxy http') continue;
      const rps = results.get(label)!.map((x, r) => x / results.get(first)![r]!);
      const cpus = cpu.get(label)!.map((x, r) => x / cpu.get(first)![r]!);
      console.log(`${label} / ${first}: req/s ×${median(rps).toFixed(3)}  CPU/req ×${median(cpus).toFixed(3)}  (medians of ${rounds} paired rounds)`);
    }
  }
  console.log(`load average (1/5/15 min): before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
