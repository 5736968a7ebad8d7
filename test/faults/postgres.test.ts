// PostgreSQL crashed (immediate stop), restarted, frozen and thawed under light load against two real
// nodes behind the balancer (sessions in a private Redis): public routes keep answering, credential
// checks answer a coded 503 with Retry-After within the statement/connect bounds, the balancer ejects
// nobody, an audit event written during the outage is queued and lands once PostgreSQL is back, and
// users and refresh families acknowledged before the crash survive it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';
import { FAULT_TEST_TIMEOUT_MS, FAULT_WAIT, dependentRoutes, expectDegradedNotDark, runFaultScript, startFaultCluster, startPrivatePostgres, startPrivateRedis, type FaultCluster, type PrivateStore } from './support.js';
import { until } from '../support/wait.js';

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

    let logoutDuringOutage = 0;
    const dependent = await dependentRoutes(cluster);
    const result = await runFaultScript({
      routes: dependent.routes,
      cluster,
      store: postgres,
      sessionCookie: () => session.cookieHeader(),
      bearer: tokens.access_token,
      // The session lives in Redis, so logging out works; its audit event must not be dropped.
      duringOutage: async () => {
        logoutDuringOutage = (await leaving.post('/api/auth/session/logout')).status;
      },
    });
    dependent.close();
    const report = expectDegradedNotDark(result);
    console.info('postgres fault report', JSON.stringify(report));

    // The logout was acknowledged during the outage, and its audit event reached the table afterwards.
    expect(logoutDuringOutage).toBe(204);
    expect((await leaving.get('/api/me')).status).toBe(401);
    await until(async () => {
      const audit = await session.get('/api/audit');
      return audit.status === 200 && (audit.body.events as { type: string }[]).some((e) => e.type === 'logout');
    }, 'the queued logout audit event to be written', FAULT_WAIT);
    // Users and refresh families acknowledged before the crash survived it.
    expect((await session.get('/api/me')).status).toBe(200);
    expect((await jwt.post('/api/auth/jwt/refresh', { refresh_token: tokens.refresh_token })).status).toBe(200);
  }, FAULT_TEST_TIMEOUT_MS);
});
