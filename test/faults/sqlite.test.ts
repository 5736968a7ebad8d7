// The embedded SQLite database locked by another process — what a stuck tool or a backup holding
// `BEGIN EXCLUSIVE` on the file does — under light load against two real nodes sharing it behind the
// balancer. In WAL mode reads go on: pages, discovery, credential checks that only read, chat
// history. Writes (a login, a new session, a chat message) wait for the lock at most the statement
// timeout and then answer a coded 503 with Retry-After; no request outlives the bound, the balancer
// ejects nobody, nothing acknowledged before is lost, and writes work again once the lock is let go.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/storage/database.js';
import { TestClient, freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';
import { FAULT_TEST_TIMEOUT_MS, FAULT_WAIT, dependentRoutes, expectDegradedNotDark, startFaultCluster, startLoad, type FaultCluster, type LoadRoute } from './support.js';
import { until } from '../support/wait.js';

/** Another process holding the database's write lock until told to let go (stdin closes). */
async function holdWriteLock(file: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const db = require('better-sqlite3')(process.argv[1]);
    db.pragma('busy_timeout = 30000');
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
  `;
  const child: ChildProcess = spawn(process.execPath, ['-e', script, file], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

describe('SQLite locked by another process', () => {
  let cluster: FaultCluster;
  let dir: Awaited<ReturnType<typeof createTempDir>>;

  beforeAll(async () => {
    dir = await createTempDir('gh-faults-');
    cluster = await startFaultCluster({ count: 2, dataDir: dir.path });
  });
  afterAll(async () => {
    await cluster?.stop();
    await dir?.remove();
  });

  it('keeps reading, refuses writes as a coded 503 within the bound, and writes again once the lock is let go', async () => {
    const origin = cluster.url;
    const user = freshUser('faults-sqlite');
    const session = new TestClient(origin);
    expect((await session.post('/api/auth/signup', user)).status).toBe(201);
    expect((await session.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const jwt = new TestClient(origin);
    const tokens = (await jwt.post('/api/auth/jwt/login', { email: user.email, password: user.password, refresh_token_in_body: true })).body;
    const dependent = await dependentRoutes(cluster);

    const json = { 'content-type': 'application/json', origin };
    const routes: LoadRoute[] = [
      ...['/healthz', '/readyz', '/openapi.json', '/', '/oidc/.well-known/openid-configuration'].map((path) => ({ name: 'public', send: () => fetch(new URL(path, origin)) })),
      { name: 'session', send: () => fetch(new URL('/api/me', origin), { headers: { cookie: session.cookieHeader() } }) },
      { name: 'jwt', send: () => fetch(new URL('/api/me', origin), { headers: { authorization: `Bearer ${tokens.access_token}` } }) },
      // A login writes: a new session, the throttle's reset, an audit event.
      { name: 'login', send: () => fetch(new URL('/api/auth/session/login', origin), { method: 'POST', headers: json, body: JSON.stringify({ email: user.email, password: user.password }) }) },
      ...dependent.routes,
    ];
    const load = startLoad(routes);
    const count = (phase: string, route: string, status: number) => load.outcomes(phase).filter((o) => o.route === route && o.status === status).length;
    const ejected: string[] = [];
    const watchBalancer = setInterval(() => {
      for (const backend of cluster.balancer.pool.list()) if (backend.state !== 'up') ejected.push(`${backend.id}:${backend.state}`);
    }, 100);
    let lock: Awaited<ReturnType<typeof holdWriteLock>> | undefined;
    try {
      load.phase('baseline');
      await until(() => count('baseline', 'login', 200) >= 3 && count('baseline', 'session', 200) >= 3, 'a baseline', FAULT_WAIT);
      load.phase('locked');
      lock = await holdWriteLock(join(dir.path, SQLITE_FILE));
      await until(() => count('locked', 'login', 503) >= 3 && count('locked', 'public', 200) >= 10 && count('locked', 'history', 200) >= 2, 'logins refused with a 503 while reads go on', FAULT_WAIT);
      load.phase('released');
      await lock.release();
      lock = undefined;
      await until(() => count('released', 'login', 200) >= 3 && count('released', 'session', 200) >= 3, 'writes to work again after the lock is let go', FAULT_WAIT);
    } finally {
      clearInterval(watchBalancer);
      await lock?.release();
      await load.stop();
      dependent.close();
    }
    const report = expectDegradedNotDark({ load, ejected, routes }, { phases: ['baseline', 'locked', 'released'], outages: ['locked'] });
    console.info('sqlite fault report', JSON.stringify(report));

    // Nothing acknowledged before the lock was lost: the session, the refresh family.
    expect((await session.get('/api/me')).status).toBe(200);
    expect((await jwt.post('/api/auth/jwt/refresh', { refresh_token: tokens.refresh_token })).status).toBe(200);
  }, FAULT_TEST_TIMEOUT_MS);
});
