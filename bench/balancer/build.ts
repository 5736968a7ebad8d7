// Compiles src/ the way `npm run build` does (tsc, tsconfig.build.json) into a cache folder, so the
// balancer bench runs the JavaScript users get from `npm start`, not TypeScript through tsx's loader.
// Type checking is skipped (--noCheck): `npm run typecheck` does that; this only has to emit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Emits src/ into `<root>/node_modules/.cache/gatehouse-bench/<name>` and returns that folder. */
export function buildDist(root: string, name = 'dist'): string {
  // Under node_modules so the emitted files resolve the project's packages as dist/ would.
  const out = join(root, 'node_modules', '.cache', 'gatehouse-bench', name);
  mkdirSync(out, { recursive: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out, '--noCheck', '--sourceMap', 'false'], { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`tsc failed: ${(res.stdout + res.stderr).slice(0, 500)}`);
  // Module scope stops at node_modules/, so the emitted ESM needs its own package.json to be ESM.
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  return out;
}
