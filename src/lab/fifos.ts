import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatehouseError } from '../core/index.js';
import { fifoPaths } from './models/index.js';

/**
 * A private directory with two named pipes per client. Node has no mkfifo(), so mkfifo(1) makes them;
 * a system without it (Windows) gets GH_LAB_UNSUPPORTED rather than a half-run lab.
 */
export async function createFifoSet(clients: number): Promise<{ dir: string; remove(): Promise<void> }> {
  if (process.platform === 'win32') throw new GatehouseError('GH_LAB_UNSUPPORTED');
  const dir = await mkdtemp(join(tmpdir(), 'gh-lab-io-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const paths = Array.from({ length: clients }, (_, i) => fifoPaths(dir, i)).flatMap((p) => [p.request, p.answer]);
  for (let i = 0; i < paths.length; i += 128) {
    const made = spawnSync('mkfifo', ['-m', '600', ...paths.slice(i, i + 128)], { encoding: 'utf8' });
    if (made.status !== 0) {
      await remove();
      throw new GatehouseError('GH_LAB_UNSUPPORTED', {
        message: `The I/O lab could not create named pipes with mkfifo: ${made.error?.message ?? made.stderr.trim()}`,
      });
    }
  }
  return { dir, remove };
}
