// Loads that report server CPU per request (from /proc, Linux) beside requests/s: on a machine shared
// with other work, CPU per request moves far less than requests/s does. Subjects compared by a ratio
// take turns in short slices (A B C A B C …), so a change in the machine's load weighs on all alike.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { BenchRow, BenchTable } from './types.js';

const TICKS_PER_SEC = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU seconds (user + system) a process has used, or undefined when /proc cannot tell. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

export interface CpuSubject {
  /** The server process whose CPU is counted. */
  pid: number;
  url: string;
  headers?: Record<string, string>;
  /** Headers chosen per request (a distinct token each time), instead of `headers`. */
  headersFor?: () => Record<string, string>;
}

export interface CpuFigures extends Record<string, number> {
  rps: number;
  p99: number;
  cpuUs: number;
  non2xx: number;
}

function options(subject: CpuSubject, connections: number, duration: number): Parameters<typeof autocannon>[0] {
  const base = { url: subject.url, connections, duration };
  if (!subject.headersFor) return { ...base, headers: subject.headers ?? {} };
  const next = subject.headersFor;
  return { ...base, requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...next() } }) }] };
}

/**
 * Every subject is warmed up (JIT, pools; not counted), then loaded for `rounds` slices of
 * `sliceSec`, in turn. CPU µs/request = the server's CPU over its slices / the requests they answered.
 */
export async function measureCpuInterleaved(
  subjects: Record<string, CpuSubject>,
  settings: { connections: number; rounds: number; sliceSec: number; warmupSec: number; progress?: (message: string) => void },
): Promise<Record<string, CpuFigures>> {
  for (const [name, subject] of Object.entries(subjects)) {
    settings.progress?.(`warming up ${name}`);
    await autocannon(options(subject, settings.connections, settings.warmupSec));
  }
  const totals: Record<string, { requests: number; seconds: number; cpu: number; p99s: number[]; non2xx: number; rounds: { cpuUs: number; rps: number }[] }> = {};
  for (let round = 0; round < settings.rounds; round++) {
    for (const [name, subject] of Object.entries(subjects)) {
      settings.progress?.(`round ${round + 1}/${settings.rounds}: ${name}`);
      const before = cpuSeconds(subject.pid) ?? 0;
      const result = await autocannon(options(subject, settings.connections, settings.sliceSec));
      const after = cpuSeconds(subject.pid) ?? 0;
      const t = (totals[name] ??= { requests: 0, seconds: 0, cpu: 0, p99s: [], non2xx: 0, rounds: [] });
      t.rounds.push({ cpuUs: result.requests.total > 0 ? ((after - before) / result.requests.total) * 1e6 : 0, rps: result.requests.total / result.duration });
      t.requests += result.requests.total;
      t.seconds += result.duration;
      t.cpu += after - before;
      t.p99s.push(result.latency.p99);
      t.non2xx += result.non2xx + result.errors + result.timeouts;
    }
  }
  return Object.fromEntries(
    Object.entries(totals).map(([name, t]) => {
      const sorted = [...t.p99s].sort((x, y) => x - y);
      const figures: CpuFigures = {
        rps: Math.round(t.requests / t.seconds),
        p99: sorted[Math.floor(sorted.length / 2)]!,
        cpuUs: t.requests > 0 ? Math.round((t.cpu / t.requests) * 1e6) : 0,
        non2xx: t.non2xx,
      };
      // Each round's own figures too (not shown as columns): what roundSpreadNotes reads.
      t.rounds.forEach((r, i) => {
        figures[roundKey('cpuUs', i)] = Math.round(r.cpuUs);
        figures[roundKey('rps', i)] = Math.round(r.rps);
      });
      return [name, figures];
    }),
  );
}

/** The columns of a table measured by `measureCpuInterleaved`: CPU per request first, the headline. */
export const CPU_TABLE_COLUMNS: BenchTable['columns'] = [
  { key: 'cpuUs', label: 'CPU µs/req' },
  { key: 'rps', label: 'req/s' },
  { key: 'p99', label: 'p99 ms' },
  { key: 'non2xx', label: 'non-2xx' },
];

const roundKey = (key: string, round: number) => `${key}#${round + 1}`;

/**
 * For each target, its ratio in every round of the interleaved load, and in how many rounds it held: on
 * a shared machine a ratio moves from one run to the next by about as much as some targets are from
 * their bound, and one run's total cannot tell a near miss from a miss.
 */
export function roundSpreadNotes(rows: BenchRow[], targets: NonNullable<BenchTable['targets']>): string[] {
  const figures = (subject: string) => rows.find((r) => r.subject === subject)?.figures;
  const notes: string[] = [];
  for (const target of targets) {
    const [mine, theirs] = [figures(target.subject), figures(target.against)];
    if (!mine || !theirs) continue;
    const ratios: number[] = [];
    for (let i = 0; mine[roundKey(target.key, i)] !== undefined && theirs[roundKey(target.key, i)]; i++) {
      ratios.push(mine[roundKey(target.key, i)]! / theirs[roundKey(target.key, i)]!);
    }
    if (ratios.length < 2) continue;
    const held = ratios.filter((r) => (target.min === undefined || r >= target.min) && (target.max === undefined || r <= target.max)).length;
    notes.push(`${target.label}: round by round ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')} — held in ${held} of ${ratios.length} rounds.`);
  }
  return notes;
}

/** A note for each row that saw failed answers: its figures measured something other than success. */
export function suspectRowNotes(rows: BenchRow[]): string[] {
  return rows.filter((r) => (r.figures.non2xx ?? 0) > 0).map((r) => `${r.subject}: ${r.figures.non2xx} non-2xx responses or errors — its figures are suspect.`);
}
