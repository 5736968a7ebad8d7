import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { evaluateTargets, tableRatios } from '../../bench/lib/ratios.js';
import { roundSpreadNotes } from '../../bench/lib/cpu-load.js';
import type { BenchTable } from '../../bench/lib/types.js';
import { parseRunArgs, runBench } from '../../bench/run.js';
import { findExecutable, setupPeers } from '../../bench/setup.js';
import { createTempDir } from '../support/services.js';

const table: BenchTable = {
  title: 'proxy throughput',
  columns: [
    { key: 'rps', label: 'req/s' },
    { key: 'p99', label: 'p99 ms' },
  ],
  rows: [
    { subject: 'gatehouse', figures: { rps: 300, p99: 2 } },
    { subject: 'http-proxy-3', peer: true, figures: { rps: 100, p99: 4 } },
    { subject: 'haproxy', peer: true, missing: 'not installed', figures: {} },
  ],
  baseline: 'http-proxy-3',
  targets: [
    { subject: 'gatehouse', against: 'http-proxy-3', key: 'rps', min: 2, label: '≥ 2× http-proxy-3' },
    { subject: 'gatehouse', against: 'http-proxy-3', key: 'p99', max: 0.25, label: 'p99 a quarter' },
    { subject: 'gatehouse', against: 'haproxy', key: 'rps', min: 0.8, label: '≥ 0.8× HAProxy' },
  ],
};

describe('benchmark ratios and targets', () => {
  it('computes every ratio against the baseline row of the same table', () => {
    expect(tableRatios(table)).toEqual({ gatehouse: { rps: 3, p99: 0.5 } });
  });

  it('marks targets met, missed, or not measured when a peer is missing', () => {
    expect(evaluateTargets(table).map((t) => [t.status, t.ratio])).toEqual([
      ['met', 3],
      ['missed', 0.5],
      ['not measured', undefined],
    ]);
    expect(evaluateTargets(table)[2]!.reason).toBe('not installed');
  });
});

describe('the benchmark runner', () => {
  it('runs the areas asked, reports a missing module as missing and a failing one as failed, and writes one report', async () => {
    const dir = await createTempDir('gh-bench-run-');
    try {
      const areaDir = join(dir.path, 'areas');
      await mkdir(areaDir);
      await writeFile(
        join(areaDir, 'good.mjs'),
        `export async function run(ctx) {
          ctx.progress('measuring');
          return { area: 'good', tables: [${JSON.stringify(table)}], notes: ['measured ' + ctx.durationSec + ' s'] };
        }`,
      );
      await writeFile(join(areaDir, 'bad.mjs'), `export async function run() { throw new Error('peer crashed\\nstack'); }`);
      const stream = Object.assign(new PassThrough(), { isTTY: false });
      let log = '';
      stream.on('data', (c: Buffer) => (log += c.toString()));
      const resultsDir = join(dir.path, 'results');
      const { report, files } = await runBench({
        areas: ['good', 'gone', 'bad'],
        areaList: [
          { area: 'good', module: 'good.mjs', title: 'Good', peers: [] },
          { area: 'gone', module: 'gone.mjs', title: 'Gone', peers: [] },
          { area: 'bad', module: 'bad.mjs', title: 'Bad', peers: [] },
        ],
        areaDir,
        quick: true,
        durationSec: 1,
        connections: 2,
        setup: 'skip',
        resultsDir,
        areaTimeoutSec: 60,
        stream,
      });
      expect(report.areas.map((a) => [a.area, a.status])).toEqual([
        ['good', 'ok'],
        ['gone', 'missing'],
        ['bad', 'failed'],
      ]);
      expect(report.areas[1]!.reason).toContain('gone.mjs is not written yet');
      expect(report.areas[2]!.reason).toBe('peer crashed');
      expect(log).toContain('[1/3] good: measuring');
      expect(log).toContain('[2/3] gone: missing');
      expect(report.machine.cores).toBeGreaterThan(0);

      const markdown = await readFile(files.markdown, 'utf8');
      expect(markdown).toContain('| gatehouse | 300 (3×) | 2 (0.50×) |');
      expect(markdown).toContain('| haproxy *(peer)* | **missing**: not installed |');
      expect(markdown).toContain('✅ met — ≥ 2× http-proxy-3');
      expect(markdown).toContain('❌ missed — p99 a quarter');
      expect(markdown).toContain('⚠️ not measured — ≥ 0.8× HAProxy');
      expect(markdown).toContain('| gone | **missing**: bench/gone.mjs is not written yet |');
      expect(markdown).toContain('![proxy throughput](charts/good-1.svg)');
      expect(markdown).toContain(`${report.machine.cpuModel}, ${report.machine.cores} cores`);

      const runDir = files.markdown.slice(0, -'/report.md'.length);
      const stamp = runDir.split('/').at(-1)!;
      expect(await readFile(files.latest, 'utf8')).toContain(`![proxy throughput](${stamp}/charts/good-1.svg)`);
      expect(await readdir(join(runDir, 'charts'))).toEqual(['good-1.svg']);
      const json = JSON.parse(await readFile(files.json, 'utf8')) as { areas: unknown[]; computed: { ratios: unknown }[] };
      expect(json.areas).toHaveLength(3);
      expect(json.computed[0]!.ratios).toEqual({ gatehouse: { rps: 3, p99: 0.5 } });
    } finally {
      await dir.remove();
    }
  });

  it('parses its command line: known areas only, positive numbers', () => {
    expect(parseRunArgs(['lab', 'jwt', '--quick'])).toMatchObject({ areas: ['jwt', 'lab'], quick: true, durationSec: 3, setup: 'install' });
    // The slower comparison tables run only when asked for.
    expect(parseRunArgs(['sessions', 'jwt'])).toMatchObject({ full: false });
    expect(parseRunArgs(['sessions', '--full'])).toMatchObject({ full: true });
    expect(parseRunArgs(['--no-install', '--duration', '20'])).toMatchObject({ durationSec: 20, setup: 'check' });
    expect(parseRunArgs(['nope'])).toMatchObject({ error: expect.stringContaining('Unknown area: nope') });
    expect(parseRunArgs(['--duration', '0'])).toMatchObject({ error: expect.stringContaining('--duration') });
    expect(parseRunArgs(['--bogus'])).toHaveProperty('error');
  });
});

describe('the benchmark set-up step', () => {
  it('finds Debian peers and npm packages, and reports what is missing without installing when told not to', async () => {
    const dir = await createTempDir('gh-bench-setup-');
    try {
      await mkdir(join(dir.path, 'node_modules', 'present-peer'), { recursive: true });
      await writeFile(join(dir.path, 'node_modules', 'present-peer', 'package.json'), '{"version":"1.2.3"}');
      const peers = setupPeers({ peers: ['present-peer', 'absent-peer', 'wrk'], install: false, root: dir.path });
      expect(peers['present-peer']).toMatchObject({ kind: 'npm', available: true, version: '1.2.3' });
      expect(peers['absent-peer']).toMatchObject({ kind: 'npm', available: false, missing: expect.stringContaining('not installed') });
      expect(peers.wrk!.kind).toBe('debian');
      expect(peers.wrk!.available).toBe(findExecutable('wrk') !== undefined);
      if (peers.wrk!.available) expect(peers.wrk!.version).toMatch(/^\d+\.\d+/);
    } finally {
      await dir.remove();
    }
  });
});

describe('round-by-round spread of a target', () => {
  it('gives each round its own ratio and counts the rounds the target held in', () => {
    const rows = [
      { subject: 'node', figures: { cpuUs: 130, 'cpuUs#1': 120, 'cpuUs#2': 150, 'cpuUs#3': 125 } },
      { subject: 'floor', figures: { cpuUs: 100, 'cpuUs#1': 100, 'cpuUs#2': 100, 'cpuUs#3': 80 } },
    ];
    const notes = roundSpreadNotes(rows, [{ subject: 'node', against: 'floor', key: 'cpuUs', max: 1.3, label: 'node ≤ 1.3× floor' }]);
    expect(notes).toEqual(['node ≤ 1.3× floor: round by round 1.20×, 1.50×, 1.56× — held in 1 of 3 rounds.']);
  });

  it('says nothing for a single round or a row without round figures', () => {
    const rows = [
      { subject: 'a', figures: { rps: 10, 'rps#1': 10 } },
      { subject: 'b', figures: { rps: 5, 'rps#1': 5 } },
      { subject: 'c', figures: { rps: 5 } },
    ];
    expect(roundSpreadNotes(rows, [{ subject: 'a', against: 'b', key: 'rps', min: 1, label: 'x' }, { subject: 'a', against: 'c', key: 'rps', min: 1, label: 'y' }])).toEqual([]);
  });
});
