import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/support/services.js';
import { GatehouseError } from '../core/index.js';
import { runIoLab, type IoLabProgress, type IoLabResult } from './run-lab.js';
import { writeIoLabReport } from './report.js';

// A small, bounded run: 6 clients × 3 requests, 60 ms per answer (the blocking model needs ≥ 1.08 s).
// The delay is generous so that on a loaded machine every client's request still overlaps the others'.
const CLIENTS = 6;
const REQUESTS = 3;
const DELAY = 60;

describe('the I/O models lab', () => {
  let result: IoLabResult;
  const progress: IoLabProgress[] = [];

  beforeAll(async () => {
    result = await runIoLab({ clients: CLIENTS, requests: REQUESTS, delayMs: DELAY }, { onProgress: (p) => progress.push(p) });
  }, 120_000);

  const model = (name: string) => {
    const found = result.models.find((m) => m.model === name);
    if (!found) throw new Error(`no result for ${name}`);
    return found;
  };

  it('runs every model over the whole workload', () => {
    expect(result.models.map((m) => m.model)).toEqual(['sync-blocking', 'sync-nonblocking', 'async-blocking', 'async-nonblocking']);
    for (const m of result.models) {
      expect(m.requests).toBe(CLIENTS * REQUESTS);
      // No answer can come sooner than the slow server's delay.
      expect(m.latencyMs.p50).toBeGreaterThanOrEqual(DELAY * 0.95);
      expect(m.how.length).toBeGreaterThan(40);
    }
    expect(result.machine.cores).toBeGreaterThan(0);
  });

  it('blocking serves one request at a time; the others keep every client waiting at once', () => {
    expect(model('sync-blocking').maxConcurrency).toBe(1);
    expect(model('async-nonblocking').maxConcurrency).toBe(CLIENTS);
    expect(model('async-blocking').maxConcurrency).toBe(CLIENTS);
    expect(model('sync-nonblocking').maxConcurrency).toBe(CLIENTS);
    // One at a time means the wall time is at least every answer's delay end to end, and the last
    // client of a round waits for all the others.
    expect(model('sync-blocking').wallMs).toBeGreaterThanOrEqual(CLIENTS * REQUESTS * DELAY * 0.95);
    expect(model('sync-blocking').latencyMs.p99).toBeGreaterThanOrEqual(CLIENTS * DELAY * 0.95);
  });

  it('busy polling burns CPU and hits EAGAIN; the event loop sleeps', () => {
    const busy = model('sync-nonblocking');
    const loop = model('async-nonblocking');
    expect(busy.eagain).toBeGreaterThan(0);
    expect(busy.cpuMs.total).toBeGreaterThan(loop.cpuMs.total);
    expect(loop.eagain).toBeUndefined();
  });

  it('the select-style loop waits on the whole set and wakes with what is ready', () => {
    const select = model('async-blocking');
    expect(select.waits).toBeGreaterThan(0);
    expect(select.waits).toBeLessThanOrEqual(CLIENTS * REQUESTS);
    expect(select.maxReady).toBeGreaterThanOrEqual(1);
  });

  it('reports progress for each model up to its total', () => {
    for (const [i, name] of result.models.map((m) => m.model).entries()) {
      const seen = progress.filter((p) => p.model === name);
      expect(seen[0]).toMatchObject({ index: i + 1, count: 4, done: 0 });
      expect(seen.at(-1)).toMatchObject({ done: CLIENTS * REQUESTS, total: CLIENTS * REQUESTS });
    }
  });

  describe('its report', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('writes Markdown, JSON and an SVG chart that a browser parses', async () => {
      const dir = await createTempDir('gh-lab-report-');
      try {
        const files = await writeIoLabReport(result, join(dir.path, 'nested'));
        const markdown = await readFile(files.markdown, 'utf8');
        expect(markdown).toContain('| sync blocking |');
        expect(markdown).toContain('![I/O models chart](lab-io.svg)');
        expect(markdown).toContain(result.machine.cpuModel);
        const json = JSON.parse(await readFile(files.json, 'utf8')) as IoLabResult;
        expect(json.models).toHaveLength(4);
        const svg = await readFile(files.svg, 'utf8');
        const page = await browser.newPage();
        // Evaluated in the page (as source text: this project compiles without the DOM library).
        const parsed = await page.evaluate(`(() => {
          const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
          return {
            error: doc.getElementsByTagName('parsererror').length,
            root: doc.documentElement.nodeName,
            bars: doc.querySelectorAll('rect[fill^="#"]').length,
          };
        })()`);
        expect(parsed).toEqual({ error: 0, root: 'svg', bars: 1 + 4 * 4 });
      } finally {
        await dir.remove();
      }
    });
  });
});

describe('the I/O lab guards', () => {
  it('stops a model that runs past its time budget, blocked read and all', async () => {
    const error = await runIoLab({ clients: 2, requests: 20, delayMs: 200, models: ['sync-blocking'], timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatehouseError);
    expect((error as GatehouseError).code).toBe('GH_LAB_TIMEOUT');
  }, 60_000);

  it('refuses options out of range with a coded error', async () => {
    for (const bad of [{ clients: 0 }, { clients: 1.5 }, { delayMs: -1 }, { requests: 10_001 }, { clients: 256, requests: 10_000 }]) {
      await expect(runIoLab(bad)).rejects.toMatchObject({ code: 'GH_LAB_INVALID_OPTION' });
    }
    await expect(runIoLab({ models: ['nope' as never] })).rejects.toMatchObject({ code: 'GH_LAB_INVALID_OPTION' });
  });
});
