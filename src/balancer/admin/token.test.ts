import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempDir } from '../../../test/support/services.js';
import { loadOrCreateAdminToken } from './token.js';

describe('the admin token gatehouse up keeps', () => {
  it('is made once, kept readable by the owner only, and the same on every later start', async () => {
    const dir = await createTempDir();
    try {
      const first = await loadOrCreateAdminToken(join(dir.path, 'data'));
      expect(first.created).toBe(true);
      expect(first.token).toMatch(/^[\w-]{43}$/);
      const file = join(dir.path, 'data', 'balancer-admin-token');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readFile(file, 'utf8')).trim()).toBe(first.token);
      const again = await loadOrCreateAdminToken(join(dir.path, 'data'));
      expect(again).toEqual({ token: first.token, created: false });
    } finally {
      await dir.remove();
    }
  });
});
