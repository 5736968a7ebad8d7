// The benchmark's set-up step: finds every peer the requested areas compare against — Debian programs
// (haproxy, nginx, wrk) and npm packages — installs what is missing (apt-get when root, npm install
// --no-save), and reports what is still missing so the report can say so instead of skipping it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerStatus } from './lib/types.js';

const DEBIAN: Record<string, { pkg: string; versionArgs: string[] }> = {
  haproxy: { pkg: 'haproxy', versionArgs: ['-v'] },
  nginx: { pkg: 'nginx', versionArgs: ['-v'] },
  wrk: { pkg: 'wrk', versionArgs: ['--version'] },
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SetupOptions {
  peers: string[];
  /** Install what is missing (default true); false only checks. */
  install?: boolean;
  log?(message: string): void;
  /** Package root whose node_modules holds the npm peers (default: this repository). */
  root?: string;
}

export function isDebianPeer(name: string): boolean {
  return Object.hasOwn(DEBIAN, name);
}

/** Finds an executable on PATH, plus the sbin directories a non-root PATH often lacks (nginx, haproxy). */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  return dirs.map((dir) => join(dir, name)).find((file) => existsSync(file));
}

function debianStatus(name: string): PeerStatus {
  const spec = DEBIAN[name]!;
  const path = findExecutable(name);
  if (!path) return { name, kind: 'debian', available: false, missing: `not installed (apt-get install ${spec.pkg})` };
  const out = spawnSync(path, spec.versionArgs, { encoding: 'utf8', timeout: 10_000 });
  const version = `${out.stdout ?? ''}${out.stderr ?? ''}`.match(/\d+\.\d+(?:\.\d+)?/)?.[0];
  return { name, kind: 'debian', available: true, path, ...(version ? { version } : {}) };
}

function npmStatus(name: string, root: string): PeerStatus {
  const manifest = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return { name, kind: 'npm', available: false, missing: `not installed (npm install --save-dev ${name})` };
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
  return { name, kind: 'npm', available: true, ...(version ? { version } : {}) };
}

function status(name: string, root: string): PeerStatus {
  return isDebianPeer(name) ? debianStatus(name) : npmStatus(name, root);
}

function installDebian(names: string[], log: (m: string) => void): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: apt-get was not run';
  if (!findExecutable('apt-get')) return 'no apt-get on this system';
  const pkgs = names.map((n) => DEBIAN[n]!.pkg);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`setup: apt-get install ${pkgs.join(' ')}`);
  let run = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env, encoding: 'utf8' });
  if (run.status !== 0) {
    // Fresh containers often have no package lists yet.
    spawnSync('apt-get', ['update'], { env, encoding: 'utf8' });
    run = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env, encoding: 'utf8' });
  }
  return run.status === 0 ? undefined : `apt-get failed: ${(run.stderr ?? '').trim().split('\n').at(-1) ?? ''}`;
}

function installNpm(names: string[], root: string, log: (m: string) => void): string | undefined {
  log(`setup: npm install --no-save ${names.join(' ')}`);
  const run = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', ...names], { cwd: root, encoding: 'utf8' });
  return run.status === 0 ? undefined : `npm install failed: ${(run.stderr ?? '').trim().split('\n').at(-1) ?? ''}`;
}

/** Checks, installs what is missing when allowed, and checks again: one status per peer, by name. */
export function setupPeers(options: SetupOptions): Record<string, PeerStatus> {
  const root = options.root ?? ROOT;
  const log = options.log ?? (() => undefined);
  const names = [...new Set(options.peers)];
  const first = new Map(names.map((n) => [n, status(n, root)]));
  const missing = names.filter((n) => !first.get(n)!.available);
  const failures = new Map<string, string>();
  if (missing.length > 0 && options.install !== false) {
    const debian = missing.filter(isDebianPeer);
    const npm = missing.filter((n) => !isDebianPeer(n));
    const debianFailure = debian.length ? installDebian(debian, log) : undefined;
    const npmFailure = npm.length ? installNpm(npm, root, log) : undefined;
    for (const n of debian) if (debianFailure) failures.set(n, debianFailure);
    for (const n of npm) if (npmFailure) failures.set(n, npmFailure);
  }
  const out: Record<string, PeerStatus> = {};
  for (const name of names) {
    const before = first.get(name)!;
    const now = before.available ? before : status(name, root);
    if (!now.available && failures.has(name)) now.missing = `${now.missing}; ${failures.get(name)}`;
    if (now.available && !before.available) now.installedNow = true;
    out[name] = now;
  }
  return out;
}
