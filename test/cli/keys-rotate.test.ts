import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/storage/index.js';
import { PROCESS_TEST_TIMEOUT_MS, runCli, runCliOrThrow } from '../support/cli.js';
import { createTempDir } from '../support/services.js';


describe('gatehouse keys rotate', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await createTempDir();
  });
  afterAll(() => dir.remove());

  const rotate = async () => {
    const env = { ...process.env, GATEHOUSE_SECRET: 'cli-test-secret-0123456789-abcdefghijklmnop', DATABASE_URL: '', REDIS_URL: '' };
    const { stdout } = await runCliOrThrow(['keys', 'rotate', '--json', '--data-dir', dir.path], { env });
    return JSON.parse(stdout.trim().split('\n').pop()!) as { current: string; next: string; retired: string[] };
  };

  it('promotes the published next key and keeps the old one as previous, in the store a node uses', async () => {
    const first = await rotate();
    const second = await rotate();
    expect(second.current).toBe(first.next);
    const db = createDatabase({ dataDir: dir.path });
    try {
      const rows = await db.db.selectFrom('token_keys').select(['kid', 'state']).execute();
      const state = Object.fromEntries(rows.map((r) => [r.kid, r.state]));
      expect(state[first.current]).toBe('previous');
      expect(state[second.current]).toBe('current');
      expect(state[second.next]).toBe('next');
    } finally {
      await db.close();
    }
  }, PROCESS_TEST_TIMEOUT_MS);

  it('refuses an unknown flag with usage and exit code 2', async () => {
    const error = await runCli(['keys', 'rotate', '--nope']);
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(/Usage: gatehouse keys rotate/);
  }, PROCESS_TEST_TIMEOUT_MS);
});
