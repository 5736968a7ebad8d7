import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, silentLogger, type GatehouseError } from '../core/index.js';
import { createRedis, createRedisKeyValueStore } from '../storage/index.js';
import { createTestDatabase, createTestRedis } from '../../test/support/services.js';
import { createIdentity, type Identity } from './index.js';

const PASSWORD = 'tangerine-otter-42';

/**
 * Two Identity instances = two app nodes: their own Redis connections, one shared key prefix and
 * one database. A delay earned on one node holds on the other.
 */
describe('login throttle across two nodes sharing Redis', () => {
  const clock = createManualClock();
  const { config } = loadConfig({
    passwords: { memoryCostKiB: 1024, timeCost: 1 },
    throttle: { accountFreeAttempts: 3, ipFreeAttempts: 6, baseDelayMs: 1000, maxAccountDelayMs: 8000, maxIpDelayMs: 64_000, windowSec: 900 },
  });
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: Awaited<ReturnType<typeof createTestRedis>>;
  let secondConnection: ReturnType<typeof createRedis>;
  let nodeA: Identity;
  let nodeB: Identity;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    redis = await createTestRedis();
    secondConnection = createRedis(redis.url);
    const node = (connection: typeof secondConnection) =>
      createIdentity({ db: db.db, kv: createRedisKeyValueStore(connection, clock, { prefix: redis.prefix }), clock, ids: cryptoIds, config, logger: silentLogger() });
    nodeA = node(redis.redis);
    nodeB = node(secondConnection);
    await nodeA.signup({ email: 'victim@example.com', password: PASSWORD });
  });
  afterAll(async () => {
    await secondConnection.quit();
    await redis.dispose();
    await db.dispose();
  });

  const login = (node: Identity, password: string, ip: string, email = 'victim@example.com') =>
    node.authenticate({ email, password, ip }).then(
      () => 'ok' as const,
      (error: GatehouseError) => error,
    );

  it('delays grow after the free attempts, are capped, and hold on the other node', async () => {
    const ip = '203.0.113.10';
    // Three free failures, alternating nodes: no delay yet.
    for (const node of [nodeA, nodeB, nodeA]) expect(await login(node, 'wrong-guess-1', ip)).toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
    const retryAfters: number[] = [];
    for (let i = 0; i < 6; i++) {
      const node = i % 2 === 0 ? nodeB : nodeA;
      // This failure starts a delay...
      expect(await login(node, 'wrong-guess-2', ip)).toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
      // ...which the other node enforces, even for the right password.
      const other = node === nodeA ? nodeB : nodeA;
      const throttled = await login(other, PASSWORD, ip);
      expect(throttled).toMatchObject({ code: 'GH_AUTH_THROTTLED', statusCode: 429 });
      const error = throttled as GatehouseError;
      expect(error.headers?.['Retry-After']).toBe(String(error.details?.retryAfter));
      retryAfters.push(Number(error.details?.retryAfter));
      clock.advance(Number(error.details?.retryAfter) * 1000);
    }
    // Doubling from 1 s, capped at maxAccountDelayMs (8 s): a real user is never locked out for long.
    expect(retryAfters).toEqual([1, 2, 4, 8, 8, 8]);
    const throttleEvents = (await nodeA.audit.list({ limit: 500 })).filter((e) => e.type === 'throttle');
    expect(throttleEvents.length).toBeGreaterThanOrEqual(6);
    expect(throttleEvents[0]!.data).toMatchObject({ scope: expect.stringMatching(/account|ip/), delayMs: expect.any(Number) });
  });

  it('a success resets the account counter (and is allowed once the delay has run out)', async () => {
    expect(await login(nodeA, PASSWORD, '203.0.113.99')).toBe('ok');
    // Fresh budget: three failures before the next delay.
    for (let i = 0; i < 3; i++) expect(await login(nodeB, 'again-wrong-x', '203.0.113.99')).toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
    expect(await login(nodeA, PASSWORD, '203.0.113.99')).toBe('ok');
  });

  it('throttles one IP guessing many accounts, with a longer cap, and unknown emails count too', async () => {
    const ip = '198.51.100.66';
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push(((await login(nodeA, 'spray-password', ip, `nobody${i}@example.com`)) as GatehouseError).code);
    expect(new Set(codes)).toEqual(new Set(['GH_AUTH_INVALID_CREDENTIALS']));
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      await login(nodeB, 'spray-password', ip, `other${i}@example.com`);
      const blocked = (await login(nodeA, 'spray-password', ip, `fresh${i}@example.com`)) as GatehouseError;
      expect(blocked.code).toBe('GH_AUTH_THROTTLED');
      delays.push(Number(blocked.details?.retryAfter));
      clock.advance(Number(blocked.details?.retryAfter) * 1000);
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 64]);
    // The victim from another IP is not affected by this IP's delay.
    expect(await login(nodeB, PASSWORD, '203.0.113.200')).toBe('ok');
  });

  it('an attacker failing on purpose cannot slow the owner down where they usually sign in', async () => {
    await nodeA.signup({ email: 'owner@example.com', password: PASSWORD });
    // The owner signs in from home once: that IP becomes known for the account.
    expect(await login(nodeA, PASSWORD, '192.0.2.77', 'owner@example.com')).toBe('ok');
    // Someone hammers the account from elsewhere until it is delayed…
    const attackers = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'];
    for (const ip of attackers) await login(nodeB, 'guess-guess-1', ip, 'owner@example.com');
    expect(await login(nodeA, 'guess-guess-2', '203.0.113.6', 'owner@example.com')).toMatchObject({ code: 'GH_AUTH_THROTTLED' });
    // …and a new place is throttled too, but the owner at home is not.
    expect(await login(nodeB, PASSWORD, '198.51.100.200', 'owner@example.com')).toMatchObject({ code: 'GH_AUTH_THROTTLED' });
    expect(await login(nodeB, PASSWORD, '192.0.2.77', 'owner@example.com')).toBe('ok');
  });

  it("a success at a known place still clears the failures counted against the account elsewhere", async () => {
    await nodeA.signup({ email: 'homebody@example.com', password: PASSWORD });
    expect(await login(nodeA, PASSWORD, '192.0.2.90', 'homebody@example.com')).toBe('ok');
    // Two failures from elsewhere (below the three free ones), then the owner signs in at home…
    for (const ip of ['203.0.113.31', '203.0.113.32']) expect(await login(nodeB, 'guess-guess-3', ip, 'homebody@example.com')).toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
    expect(await login(nodeB, PASSWORD, '192.0.2.90', 'homebody@example.com')).toBe('ok');
    // …which gave the account its whole budget back: three more failures pass without a delay (with the
    // two still counted, the third of them would meet the delay gate).
    for (const ip of ['203.0.113.33', '203.0.113.34', '203.0.113.35']) {
      expect(await login(nodeA, 'guess-guess-4', ip, 'homebody@example.com')).toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
    }
  });

  it('a place the owner keeps signing in from stays known past 30 days: the mark is renewed once half its life is gone', async () => {
    const DAY = 24 * 3600 * 1000;
    await nodeA.signup({ email: 'regular@example.com', password: PASSWORD });
    expect(await login(nodeA, PASSWORD, '192.0.2.88', 'regular@example.com')).toBe('ok');
    clock.advance(20 * DAY);
    // Ten days left of thirty: this sign-in renews the mark for another thirty.
    expect(await login(nodeB, PASSWORD, '192.0.2.88', 'regular@example.com')).toBe('ok');
    clock.advance(20 * DAY);
    for (const ip of ['203.0.113.21', '203.0.113.22', '203.0.113.23', '203.0.113.24']) await login(nodeB, 'guess-guess-9', ip, 'regular@example.com');
    expect(await login(nodeA, PASSWORD, '198.51.100.21', 'regular@example.com')).toMatchObject({ code: 'GH_AUTH_THROTTLED' });
    // Forty days after the first sign-in, the renewed mark still lets the owner in at home.
    expect(await login(nodeA, PASSWORD, '192.0.2.88', 'regular@example.com')).toBe('ok');
  });

  it('forgets failures after the window', async () => {
    const ip = '192.0.2.150';
    for (let i = 0; i < 3; i++) await login(nodeA, 'wrong-guess-3', ip, 'victim@example.com');
    clock.advance(900_000);
    // Three more are free again: the counter restarted.
    for (let i = 0; i < 3; i++) expect(await login(nodeB, 'wrong-guess-3', ip, 'victim@example.com')).toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
    expect(await login(nodeA, PASSWORD, ip)).toBe('ok');
  });
});
