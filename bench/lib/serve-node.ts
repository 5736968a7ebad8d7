// A real `gatehouse serve` node, started the way a user starts it (the built CLI, `node dist/cli/main.js`
// as `npm start` runs it, with its defaults: embedded SQLite in a fresh data directory, default logging —
// here appended to a file), for the benchmark rows
// that measure what users run rather than a friendlier set-up. With `redisUrl` it is the same node
// with REDIS_URL set (sessions, rate limits and the deny-list then live in Redis).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createContext } from '../../src/http/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
export const SERVE_SECRET = 'bench-serve-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
// Tokens carry the public origin as issuer and audience; the node and the token minter must agree.
export const SERVE_PUBLIC_URL = 'http://127.0.0.1:1';
const USER = { email: 'bench-serve@example.test', password: 'correct horse battery staple serve', name: 'Bench' };

export interface ServeNode {
  base: string;
  pid: number;
  dataDir: string;
  /** The signed-in bench user's credentials, one per kind. */
  credentials: { userId: string; session: string; cookie: string; jwt: string };
  stop(): Promise<void>;
}

/** The newest modification time of any file under `dir` (0 when it has none). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The bench measures the built CLI users run; a dist/ older than src/ (or none) would measure other
 * code, so it is built first (`npm run build`, once per bench process).
 */
let built = false;
export function ensureBuilt(progress?: (message: string) => void): void {
  if (built) return;
  const fresh = existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, 'src'));
  if (!fresh) {
    progress?.('building dist/ (npm run build): it is missing or older than src/');
    const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`npm run build failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  built = true;
}

export interface ServeNodeOptions {
  redisUrl?: string;
  progress?: (message: string) => void;
  /** Another build's CLI (an A/B comparison of two builds); default this tree's dist/, built if stale. */
  main?: string;
  /** Node options for the server process (`--cpu-prof`, say). */
  nodeArgs?: string[];
  /** Extra environment for the node (an A/B of one setting: `LOG_LEVEL=warn`, say), set after the defaults. */
  env?: Record<string, string>;
}

export async function startServeNode(options: ServeNodeOptions = {}): Promise<ServeNode> {
  if (!options.main) ensureBuilt(options.progress);
  const dataDir = await mkdtemp(join(tmpdir(), 'gh-bench-serve-'));
  const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_SECRET: SERVE_SECRET, GATEHOUSE_PUBLIC_URL: SERVE_PUBLIC_URL };
  // Defaults, whatever the shell running the bench has set.
  for (const name of ['LOG_LEVEL', 'REDIS_URL', 'DATABASE_URL', 'PORT', 'NODE_ENV']) delete env[name];
  if (options.redisUrl) env.REDIS_URL = options.redisUrl;
  Object.assign(env, options.env);
  const log = openSync(join(dataDir, 'serve.log'), 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.main ?? MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], { env, stdio: ['ignore', log, 'pipe'] });
  closeSync(log);
  try {
    const base = await listeningAt(child);
    const credentials = await signIn(base);
    return { base, pid: child.pid!, dataDir, credentials, stop: () => stop(child, dataDir) };
  } catch (error) {
    await stop(child, dataDir);
    throw error;
  }
}

/** The serve command says where it listens on stderr: "gatehouse node on http://HOST:PORT …". */
function listeningAt(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stderr! });
  return new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gatehouse serve exited with ${code}`)));
    lines.on('line', (line) => {
      const match = /gatehouse node on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
      // Warnings (an unsupported runtime, say) are passed on; the load goes on either way.
      else if (line.trim()) process.stderr.write(`serve: ${line}\n`);
    });
  });
}

async function signIn(base: string): Promise<ServeNode['credentials']> {
  const json = { 'content-type': 'application/json' };
  const signup = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: json, body: JSON.stringify(USER) });
  if (signup.status !== 201) throw new Error(`bench signup answered ${signup.status}`);
  const login = async (kind: 'session' | 'cookie' | 'jwt') => {
    const response = await fetch(`${base}/api/auth/${kind}/login`, { method: 'POST', headers: json, body: JSON.stringify({ email: USER.email, password: USER.password }) });
    if (response.status !== 200) throw new Error(`bench ${kind} login answered ${response.status}`);
    return { body: (await response.json()) as { access_token?: string }, cookie: response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  };
  const session = (await login('session')).cookie;
  const cookie = (await login('cookie')).cookie;
  const jwt = (await login('jwt')).body.access_token;
  if (!jwt) throw new Error('bench jwt login answered no access_token');
  const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${jwt}` } });
  if (me.status !== 200) throw new Error(`bench GET /api/me answered ${me.status}`);
  const { user } = (await me.json()) as { user: { id: string } };
  return { userId: user.id, session, cookie, jwt };
}

/**
 * `count` distinct access tokens for the bench user, signed by the node's own key (the same data
 * directory and secret), in one refresh family: what `count` different clients would present.
 */
export async function mintAccessTokens(node: Pick<ServeNode, 'dataDir' | 'credentials'>, count: number, redisUrl?: string): Promise<string[]> {
  const ctx = await createContext({
    env: { GATEHOUSE_SECRET: SERVE_SECRET, GATEHOUSE_PUBLIC_URL: SERVE_PUBLIC_URL, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) },
    config: { server: { dataDir: node.dataDir } },
    skipMigrations: true,
  });
  try {
    const first = await ctx.tokens.signIn({ userId: node.credentials.userId, ip: '127.0.0.1', userAgent: 'bench' });
    const { claims } = first;
    const profile = { email: claims.email!, name: claims.name ?? null, roles: claims.roles ?? [] };
    const tokens = [first.accessToken];
    while (tokens.length < count) {
      tokens.push((await ctx.tokens.accessTokens.issue({ sub: claims.sub, sid: claims.sid, scope: claims.scope, profile })).token);
    }
    return tokens;
  } finally {
    await ctx.close();
  }
}

async function stop(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dataDir, { recursive: true, force: true });
}
