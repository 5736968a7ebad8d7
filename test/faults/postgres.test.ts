// PostgreSQL crashed (immediate stop), restarted, frozen and thawed under light load against two real
// nodes behind the balancer (sessions in a private Redis): public routes keep answering, credential
// checks answer a coded 503 with Retry-After within the statement/connect bounds, the balancer ejects
// nobody, an audit event written during the outage is queued and lands once PostgreSQL is back, and
// users and refresh families acknowledged before the crash survive it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';
import { REQUEST_BOUND_MS, startFaultCluster, startLoad, startPrivatePostgres, startPrivateRedis, until, type FaultCluster, type PrivateStore } from './support.js';

const PUBLIC = ['/healthz', '/readyz', '/openapi.json', '/', '/.well-known/jwks.json', '/oidc/.well-known/openid-configuration'];

describe('PostgreSQL outage', () => {
  let postgres: PrivateStore;
  let redis: PrivateStore;
  let cluster: FaultCluster;
  let dir: Awaited<ReturnType<typeof createTempDir>>;

  beforeAll(async () => {
    dir = await createTempDir('gh-faults-');
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    cluster = await startFaultCluster({ count: 2, databaseUrl: postgres.url, redisUrl: redis.url, dataDir: dir.path });
  });
  afterAll(async () => {
    await cluster?.stop();
    await postgres?.stop();
    await redis?.stop();
    await dir?.remove();
  });

  it('degrades instead of going dark, queues its audit trail, loses nothing acknowledged, and recovers by itself', async () => {
    const origin = cluster.url;
    const user = freshUser('faults-pg');
    const session = new TestClient(origin);
    expect((await session.post('/api/auth/signup', user)).status).toBe(201);
    expect((await session.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const leaving = new TestClient(origin);
    expect((await leaving.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const jwt = new TestClient(origin);
    const tokens = (await jwt.post('/api/auth/jwt/login', { email: user.email, password: user.password, refresh_token_in_body: true })).body;
    const bearer = { authorization: `Bearer ${tokens.access_token}` };

    const load = startLoad([
      ...PUBLIC.map((path) => ({ name: 'public', send: () => fetch(new URL(path, origin)) })),
      { name: 'session', send: () => fetch(new URL('/api/me', origin), { headers: { cookie: session.cookieHeader() } }) },
      { name: 'jwt', send: () => fetch(new URL('/api/me', origin), { headers: bearer }) },
    ]);
    const count = (phase: string, route: string, status: number) => load.outcomes(phase).filter((o) => o.route === route && o.status === status).length;
    const ejected: string[] = [];
    const watchBalancer = setInterval(() => {
      for (const backend of cluster.balancer.pool.list()) if (backend.state !== 'up') ejected.push(`${backend.id}:${backend.state}`);
    }, 100);
    const report: Record<string, unknown> = {};
    let logoutDuringOutage = 0;
    try {
      load.phase('baseline');
      await until(() => count('baseline', 'session', 200) >= 5 && count('baseline', 'jwt', 200) >= 5, 'a baseline');

      load.phase('killed');
      await postgres.kill();
      await until(() => count('killed', 'session', 503) >= 5 && count('killed', 'jwt', 503) >= 5 && count('killed', 'public', 200) >= 20, 'coded 503s while PostgreSQL is down');
      // The session lives in Redis, so logging out works; its audit event must not be dropped.
      logoutDuringOutage = (await leaving.post('/api/auth/session/logout')).status;

      load.phase('restarted');
      await postgres.restart();
      await until(() => count('restarted', 'session', 200) >= 3 && count('restarted', 'jwt', 200) >= 3, 'credential checks to answer again after the restart');

      load.phase('frozen');
      postgres.freeze();
      await until(() => count('frozen', 'session', 503) >= 3 && count('frozen', 'jwt', 503) >= 3 && count('frozen', 'public', 200) >= 10, 'coded 503s while PostgreSQL is frozen');

      load.phase('thawed');
      postgres.thaw();
      await until(() => count('thawed', 'session', 200) >= 3 && count('thawed', 'jwt', 200) >= 3, 'credential checks to answer again after the thaw');
    } finally {
      clearInterval(watchBalancer);
      await load.stop();
      postgres.thaw();
    }

    for (const phase of ['baseline', 'killed', 'restarted', 'frozen', 'thawed']) {
      const outcomes = load.outcomes(phase);
      report[phase] = { ...load.tally(phase), slowestMs: Math.round(Math.max(...outcomes.map((o) => o.ms))) };
      expect(outcomes.filter((o) => ![200, 503].includes(o.status)), phase).toEqual([]);
      for (const o of outcomes.filter((x) => x.status === 503)) {
        expect(o, `${o.route} 503`).toMatchObject({ code: 'GH_STORAGE_UNAVAILABLE', retryAfter: expect.stringMatching(/^\d+$/) });
      }
      expect(outcomes.filter((o) => o.ms > REQUEST_BOUND_MS), phase).toEqual([]);
    }
    for (const phase of ['killed', 'frozen']) {
      expect(load.outcomes(phase).filter((o) => o.route === 'public' && o.status !== 200), phase).toEqual([]);
    }
    expect(ejected).toEqual([]);
    console.info('postgres fault report', JSON.stringify(report));

    // The logout was acknowledged during the outage, and its audit event reached the table afterwards.
    expect(logoutDuringOutage).toBe(204);
    expect((await leaving.get('/api/me')).status).toBe(401);
    await until(async () => {
      const audit = await session.get('/api/audit');
      return audit.status === 200 && (audit.body.events as { type: string }[]).some((e) => e.type === 'logout');
    }, 'the queued logout audit event to be written');
    // Users and refresh families acknowledged before the crash survived it.
    expect((await session.get('/api/me')).status).toBe(200);
    expect((await jwt.post('/api/auth/jwt/refresh', { refresh_token: tokens.refresh_token })).status).toBe(200);
  });
});
