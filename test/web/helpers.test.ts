import { describe, expect, it } from 'vitest';
import { nodeRow } from '../../web/src/lib/cluster.js';
import { parseCookieHeader, readCookie } from '../../web/src/lib/cookies.js';
import { emptySeries, pushRates, seriesFrom } from '../../web/src/lib/series.js';
import { mergeMessages, type ShownMessage } from '../../web/src/state/chat-types.js';

describe('per-second rates over a 60 s window', () => {
  it('turns counters into rates, restarts at zero after a counter reset, and drops old points', () => {
    let series = emptySeries();
    let previous = null as null | { at: number; counters: Record<string, number> };
    const samples = [
      { at: 0, counters: { a: 0, b: 0 } },
      { at: 1000, counters: { a: 10, b: 5 } },
      { at: 2000, counters: { a: 30, b: 2 } }, // b restarted
    ];
    for (const sample of samples) {
      series = pushRates(series, previous, sample);
      previous = sample;
    }
    expect(series.times).toEqual([1, 2]);
    expect(series.rates.get('a')).toEqual([10, 20]);
    expect(series.rates.get('b')).toEqual([5, 0]);
    for (let i = 3; i <= 70; i++) {
      const sample = { at: i * 1000, counters: { a: 30 + i } };
      series = pushRates(series, previous, sample);
      previous = sample;
    }
    expect(series.times.length).toBeLessThanOrEqual(61);
    expect(series.times[0]).toBeGreaterThanOrEqual(10);
    expect(series.rates.has('b')).toBe(false); // absent for the whole window
  });
});

describe('cluster nodes table', () => {
  it('shows a node that answered by its p99 loop delay, sockets, memory and uptime, and one that did not by its name', () => {
    const stats = {
      node: 'node-1',
      pid: 1,
      uptimeMs: 5000,
      eventLoopDelayMs: { mean: 1, p50: 1, p99: 2.5, max: 9 },
      memory: { rssBytes: 1024, heapUsedBytes: 1 },
      sockets: 3,
      rooms: 1,
      crossNode: { uid: null, requests: 0, partial: 0, waitedFor: {}, skipped: 0 },
      store: 'sqlite',
      redis: false,
    };
    expect(nodeRow({ ...stats, url: 'http://127.0.0.1:3001', reachable: true })).toEqual({ id: 'node-1', reachable: true, loopDelayMs: 2.5, sockets: 3, rssBytes: 1024, uptimeSec: 5 });
    expect(nodeRow({ node: 'node-2', url: 'http://127.0.0.1:3002', reachable: false })).toEqual({ id: 'node-2', reachable: false, loopDelayMs: null, sockets: null, rssBytes: null, uptimeSec: null });
  });
});

describe('document.cookie parsing', () => {
  it('lists name=value pairs and decodes values', () => {
    expect(parseCookieHeader('gh.lang=ko; gh.theme=dark; x=%E2%9C%93; bad; =v')).toEqual([
      { name: 'gh.lang', value: 'ko' },
      { name: 'gh.theme', value: 'dark' },
      { name: 'x', value: '✓' },
    ]);
    expect(readCookie('a=1; b=%zz', 'b')).toBe('%zz');
    expect(readCookie('', 'a')).toBeNull();
  });
});

describe('chat message merging', () => {
  const base = { room: 'r', user: { id: 'u', name: null }, text: 'hi' };
  it('keeps one copy per id, acknowledged wins, ordered by time', () => {
    const received: ShownMessage = { ...base, id: 'm2', ts: 2, delivery: 'received' };
    const acked: ShownMessage = { ...base, id: 'm2', ts: 2, delivery: 'acked', localId: 'l1' };
    const older: ShownMessage = { ...base, id: 'm1', ts: 1, delivery: 'received' };
    expect(mergeMessages([received], [acked, older]).map((m) => [m.id, m.delivery])).toEqual([['m1', 'received'], ['m2', 'acked']]);
    expect(mergeMessages([acked], [received]).map((m) => m.delivery)).toEqual(['acked']);
  });
});

describe('the node’s history as a rate window', () => {
  it('folds a run of samples into the same rates the page would have drawn live', () => {
    const samples = [
      { at: 1000, counters: { a: 0 } },
      { at: 2000, counters: { a: 4 } },
      { at: 3000, counters: { a: 10 } },
    ];
    const { series, last } = seriesFrom(samples);
    expect(series.times).toEqual([2, 3]);
    expect(series.rates.get('a')).toEqual([4, 6]);
    expect(last).toEqual(samples[2]);
    expect(seriesFrom([]).last).toBeNull();
  });
});
