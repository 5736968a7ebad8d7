// Redis killed, restarted, frozen and thawed under light load against two real nodes behind the
// balancer (SQLite for the database): public routes keep answering, credential checks fail closed as
// a coded 503 with Retry-After (never a 500, never a hang past the command timeout), the balancer
// ejects nobody, nothing acknowledged is lost across the Redis restart, and service comes back
// without restarting any node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';
import { REQUEST_BOUND_MS, startFaultCluster, startLoad, startPrivateRedis, until, type FaultCluster, type Outcome, type PrivateStore } from './support.js';

const PUBLIC = ['/healthz', '/readyz', '/openapi.json', '/', '/.well-known/jwks.json', '/oidc/.well-known/openid-configuration'];

function expectCoded503s(outcomes: Outcome[]): void {
  for (const o of outcomes.filter((x) => x.status === 503)) {
    expect(o, `${o.route} 503`).toMatchObject({ code: 'GH_STORAGE_UNAVAILABLE', retryAfter: expect.stringMatching(/^\d+$/) });
  }
}

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
    const bearer = { authorization: `Bearer ${tokens.access_token}` };
    // An acknowledged revocation: this token must stay refused after Redis restarts (the deny-list persists).
    const revoked = new TestClient(origin);
    const revokedTokens = (await revoked.post('/api/auth/jwt/login', { email: jwtUser.email, password: jwtUser.password, refresh_token_in_body: true })).body;
    expect((await revoked.post('/api/auth/jwt/logout', { refresh_token: revokedTokens.refresh_token }, { authorization: `Bearer ${revokedTokens.access_token}` })).status).toBe(204);
    expect((await revoked.get('/api/me', { authorization: `Bearer ${revokedTokens.access_token}` })).status).toBe(401);

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
    try {
      load.phase('baseline');
      await until(() => count('baseline', 'session', 200) >= 5 && count('baseline', 'jwt', 200) >= 5, 'a baseline');

      load.phase('killed');
      await redis.kill();
      await until(() => count('killed', 'session', 503) >= 5 && count('killed', 'jwt', 503) >= 5 && count('killed', 'public', 200) >= 20, 'coded 503s while Redis is down');

      load.phase('restarted');
      await redis.restart();
      await until(() => count('restarted', 'session', 200) >= 3 && count('restarted', 'jwt', 200) >= 3, 'credential checks to answer again after the restart');

      load.phase('frozen');
      redis.freeze();
      await until(() => count('frozen', 'session', 503) >= 3 && count('frozen', 'jwt', 503) >= 3 && count('frozen', 'public', 200) >= 10, 'coded 503s while Redis is frozen');

      load.phase('thawed');
      redis.thaw();
      await until(() => count('thawed', 'session', 200) >= 3 && count('thawed', 'jwt', 200) >= 3, 'credential checks to answer again after the thaw');
    } finally {
      clearInterval(watchBalancer);
      await load.stop();
      redis.thaw();
    }

    for (const phase of ['baseline', 'killed', 'restarted', 'frozen', 'thawed']) {
      const outcomes = load.outcomes(phase);
      report[phase] = { ...load.tally(phase), slowestMs: Math.round(Math.max(...outcomes.map((o) => o.ms))) };
      // Never a 500, a dropped connection or a balancer error; every 503 is coded and says when to retry.
      expect(outcomes.filter((o) => ![200, 503].includes(o.status)), phase).toEqual([]);
      expectCoded503s(outcomes);
      // No request outlives the configured bound, frozen Redis included.
      expect(outcomes.filter((o) => o.ms > REQUEST_BOUND_MS), phase).toEqual([]);
    }
    for (const phase of ['killed', 'frozen']) {
      // Fail open where nothing secret is at stake: pages, docs, JWKS, discovery and health.
      expect(load.outcomes(phase).filter((o) => o.route === 'public' && o.status !== 200), phase).toEqual([]);
    }
    // Readiness is about the node, not the Redis every node shares: nobody was ejected.
    expect(ejected).toEqual([]);
    console.info('redis fault report', JSON.stringify(report));

    // Nothing acknowledged was lost: every session, and the revocation.
    for (const client of [session, ...others]) expect((await client.get('/api/me')).status).toBe(200);
    expect((await revoked.get('/api/me', { authorization: `Bearer ${revokedTokens.access_token}` })).status).toBe(401);
    expect((await jwt.post('/api/auth/jwt/refresh', { refresh_token: tokens.refresh_token })).status).toBe(200);
  });
});
