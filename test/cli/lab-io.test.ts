import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTempDir } from '../support/services.js';

describe('gatehouse lab io', () => {
  it('runs the chosen models, shows progress, prints the table and writes the report files', async () => {
    const dir = await createTempDir('gh-lab-cli-');
    try {
      const out = join(dir.path, 'report');
      const run = await runCli(['lab', 'io', '--clients', '3', '--requests', '2', '--delay-ms', '30', '--models', 'sync-blocking,async-nonblocking', '--out', out]);
      expect(run.code).toBe(0);
      // Not a terminal here, so progress comes as plain lines.
      expect(run.stderr).toContain('[1/2] sync blocking: 6/6 answered');
      expect(run.stderr).toContain('[2/2] async non-blocking (event loop): 6/6 answered');
      expect(run.stdout).toMatch(/model\s+req\/s\s+p50 ms\s+p99 ms\s+CPU ms/);
      expect(run.stdout).toContain('Synchronous blocking held 1 request in flight');
      expect(run.stdout).toContain('fs.readSync on a blocking FIFO descriptor');
      expect((await readdir(out)).sort()).toEqual(['lab-io.json', 'lab-io.md', 'lab-io.svg']);
    } finally {
      await dir.remove();
    }
  }, 120_000);

  it('refuses bad flags with a clear message and no crash', async () => {
    const notNumber = await runCli(['lab', 'io', '--clients', 'many']);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--clients must be a whole number');
    const outOfRange = await runCli(['lab', 'io', '--clients', '0']);
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toContain('GH_LAB_INVALID_OPTION');
    const unknownModel = await runCli(['lab', 'io', '--models', 'threads']);
    expect(unknownModel.code).toBe(2);
    expect(unknownModel.stderr).toContain('Unknown model "threads"');
  }, 120_000);
});
