// `npm run build`, and `prepare` (which npm runs after `npm install` in a clone): the server (tsc) and
// the web app (vite) build at the same time, since neither reads the other's output, and each says how
// long it took.
//
// npm also runs `prepare` when `npx gatehouse` is typed in a clone: npx installs the project itself into
// its cache as a link, and a link's `prepare` runs. Rebuilding there would rewrite dist/ under a running
// `npm start`, so `--prepare` leaves a built tree alone when npm's command is `exec`.
import { spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';

const BUILT = ['dist/cli/main.js', 'web/dist/index.html'];
const preparing = process.argv.includes('--prepare');

if (preparing && process.env.npm_command === 'exec' && BUILT.every((file) => existsSync(file))) {
  console.error('gatehouse is already built; npx runs it as it is (`npm run build` rebuilds it).');
  process.exit(0);
}

/** Runs one build step, resolving to its duration in seconds; rejects when it fails. */
function step(name: string, command: string, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${name} failed (exit ${code})`));
      const seconds = (performance.now() - started) / 1000;
      console.error(`built ${name} in ${seconds.toFixed(1)} s`);
      resolve(seconds);
    });
  });
}

// After `npm install` the build only has to emit: type-checking the server is half of tsc's time, and
// `npm run typecheck` (part of `npm test`) is where type errors are caught. `npm run build` still checks.
const server = step('the server (tsc)', 'tsc', ['-p', 'tsconfig.build.json', ...(preparing ? ['--noCheck'] : [])]).then(() => cpSync('src/identity/data', 'dist/identity/data', { recursive: true }));
const web = step('the web app (vite)', 'vite', ['build', 'web', '--logLevel', 'warn']);
const results = await Promise.allSettled([server, web]);
const failed = results.filter((result) => result.status === 'rejected');
for (const failure of failed) console.error(String(failure.reason instanceof Error ? failure.reason.message : failure.reason));
process.exitCode = failed.length > 0 ? 1 : 0;
