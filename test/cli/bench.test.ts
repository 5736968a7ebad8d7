import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('gatehouse bench', () => {
  it('hands its arguments to the benchmark runner, which refuses an unknown area and names the known ones', async () => {
    const run = await runCli(['bench', 'no-such-area', '--skip-setup']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown area: no-such-area');
    for (const area of ['sessions', 'jwt', 'oauth', 'realtime', 'balancer', 'lab', 'event-loop']) expect(run.stderr).toContain(area);
  }, 60_000);
});
