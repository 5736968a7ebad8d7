import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function gatehouse(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('gatehouse bench', () => {
  it('hands its arguments to the benchmark runner, which refuses an unknown area and names the known ones', async () => {
    const run = await gatehouse(['bench', 'no-such-area', '--skip-setup']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown area: no-such-area');
    for (const area of ['sessions', 'jwt', 'oauth', 'realtime', 'balancer', 'lab', 'event-loop']) expect(run.stderr).toContain(area);
  }, 60_000);
});
