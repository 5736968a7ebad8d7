// Redis killed, restarted, frozen and thawed under light load against two real nodes behind the
// balancer (SQLite for the database): public routes keep answering, credential checks fail closed as
// a coded 503 with Retry-After (never a 500, never a hang past the command timeout), the balancer
// ejects nobody, nothing acknowledged is lost across the Redis restart, and service comes back
// without restarting any node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';
import { FAULT_TEST_TIMEOUT_MS, dependentRoutes, expectDegradedNotDark, runFaultScript, startFaultCluster, startPrivateRedis, type FaultCluster, type PrivateStore } from './support.js';

describe('Redis outage', () => {
  let redis: PrivateStore;
  let cluster: FaultCluster;
  let dir: Awaited<ReturnType<typeof createTempDir>>;

  beforeAll(async () => {
    dir = await createTempDir('gh-faults-');
    redis = await startPrivateRedis();
    cluster = await startFaultCluster({ count: 2, redisUrl: redis.url, dataDir: dir.path });
  });
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
    await dir?.remove();
  });

  it('degrades instead of going dark, loses nothing acknowledged, and recovers by itself', async () => {
    const origin = cluster.url;
    const sessionUser = freshUser('faults-session');
    const session = new TestClient(origin);
    expect((await session.post('/api/auth/signup', sessionUser)).status).toBe(201);
    expect((await session.post('/api/auth/session/login', { email: sessionUser.email, password: sessionUser.password })).status).toBe(200);
    // More acknowledged sessions, each must outlive the Redis restart.
    const others = await Promise.all(
      [1, 2, 3].map(async () => {
        const client = new TestClient(origin);
        expect((await client.post('/api/auth/session/login', { email: sessionUser.email, password: sessionUser.password })).status).toBe(200);
        return client;
      }),
    );
    const jwtUser = freshUser('faults-jwt');
    const jwt = new TestClient(origin);
    expect((await jwt.post('/api/auth/signup', jwtUser)).status).toBe(201);
    const tokens = (await jwt.post('/api/auth/jwt/login', { email: jwtUser.email, password: jwtUser.password, refresh_token_in_body: true })).body;
    // An acknowledged revocation: this token must stay refused after Redis restarts (the deny-list persists).
    const revoked = new TestClient(origin);
    const revokedTokens = (await revoked.post('/api/auth/jwt/login', { email: jwtUser.email, password: jwtUser.password, refresh_token_in_body: true })).body;
    expect((await revoked.post('/api/auth/jwt/logout', { refresh_token: revokedTokens.refresh_token }, { authorization: `Bearer ${revokedTokens.access_token}` })).status).toBe(204);
    expect((await revoked.get('/api/me', { authorization: `Bearer ${revokedTokens.access_token}` })).status).toBe(401);

    const dependent = await dependentRoutes(cluster);
    const result = await runFaultScript({
      routes: dependent.routes, cluster, store: redis, sessionCookie: () => session.cookieHeader(), bearer: tokens.access_token });
    dependent.close();
    const report = expectDegradedNotDark(result);
    console.info('redis fault report', JSON.stringify(report));

    // Nothing acknowledged was lost: every session, and the revocation.
    for (const client of [session, ...others]) expect((await client.get('/api/me')).status).toBe(200);
    expect((await revoked.get('/api/me', { authorization: `Bearer ${revokedTokens.access_token}` })).status).toBe(401);
    expect((await jwt.post('/api/auth/jwt/refresh', { refresh_token: tokens.refresh_token })).status).toBe(200);
  }, FAULT_TEST_TIMEOUT_MS);
});
