import { sql } from 'kysely';
import type { Adapter } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../core/index.js';
import { createTestDatabase, createTestRedis } from '../../../test/support/services.js';
import { createOidcAdapterFactory } from './factory.js';
import { createRedisOidcAdapter } from './redis-adapter.js';
import { createSqlOidcAdapter, sweepOauthModels } from './sql-adapter.js';

type Make = (model: string) => Adapter;
type Factory = (clock: ManualClock) => Promise<{ make: Make; dispose(): Promise<void>; sweep?: () => Promise<number> }>;

const factories: Record<string, Factory> = {
  sqlite: async (clock) => {
    const db = await createTestDatabase('sqlite');
    return { make: (m) => createSqlOidcAdapter(db.db, clock, m), dispose: db.dispose, sweep: () => sweepOauthModels(db.db, clock, 1000) };
  },
  postgres: async (clock) => {
    const db = await createTestDatabase('postgres');
    return { make: (m) => createSqlOidcAdapter(db.db, clock, m), dispose: db.dispose, sweep: () => sweepOauthModels(db.db, clock, 1000) };
  },
  redis: async (clock) => {
    const r = await createTestRedis();
    return { make: (m) => createRedisOidcAdapter(r.redis, clock, m, { prefix: r.prefix }), dispose: r.dispose };
  },
};

describe.each(Object.keys(factories))('oidc-provider adapter contract: %s', (name) => {
  const clock = createManualClock();
  let make: Make;
  let dispose: () => Promise<void>;
  let sweep: (() => Promise<number>) | undefined;
  beforeAll(async () => {
    ({ make, dispose, sweep } = await factories[name]!(clock));
  });
  afterAll(() => dispose());

  it('upserts, finds and destroys, keeping models apart', async () => {
    const codes = make('AuthorizationCode');
    const tokens = make('AccessToken');
    expect(await codes.find('a1')).toBeUndefined();
    await codes.upsert('a1', { kind: 'AuthorizationCode', jti: 'a1', clientId: 'c1', scope: 'openid' }, 60);
    expect(await codes.find('a1')).toMatchObject({ jti: 'a1', clientId: 'c1', scope: 'openid' });
    expect(await tokens.find('a1')).toBeUndefined();
    await codes.upsert('a1', { kind: 'AuthorizationCode', jti: 'a1', clientId: 'c2' }, 60);
    expect((await codes.find('a1'))?.clientId).toBe('c2');
    await codes.destroy('a1');
    expect(await codes.find('a1')).toBeUndefined();
  });

  it('expires by the injected clock', async () => {
    const interactions = make('Interaction');
    await interactions.upsert('i1', { kind: 'Interaction', jti: 'i1' }, 10);
    clock.advance(9_999);
    expect(await interactions.find('i1')).toBeDefined();
    clock.advance(1);
    expect(await interactions.find('i1')).toBeUndefined();
  });

  it('keeps artefacts without expiry', async () => {
    const clients = make('Client');
    await clients.upsert('client-1', { client_id: 'client-1', redirect_uris: ['https://rp.example/cb'] });
    clock.advance(365 * 86_400_000);
    expect(await clients.find('client-1')).toMatchObject({ client_id: 'client-1' });
  });

  it('sees a client changed or deleted through another node at once (no per-node memo)', async () => {
    // Two adapters over one store are two nodes (or a node and the CLI): a rotated secret or a deleted
    // client must not keep working on the node that read it last.
    const nodeA = make('Client');
    const nodeB = make('Client');
    await nodeB.upsert('client-2', { client_id: 'client-2', client_secret: 'old' });
    expect(await nodeA.find('client-2')).toMatchObject({ client_secret: 'old' });
    await nodeB.upsert('client-2', { client_id: 'client-2', client_secret: 'new' });
    expect(await nodeA.find('client-2')).toMatchObject({ client_secret: 'new' });
    await nodeB.destroy('client-2');
    expect(await nodeA.find('client-2')).toBeUndefined();
  });

  it('marks consumption with a timestamp and keeps the payload', async () => {
    const codes = make('AuthorizationCode');
    await codes.upsert('c1', { kind: 'AuthorizationCode', jti: 'c1', grantId: 'g0' }, 60);
    expect((await codes.find('c1'))?.consumed).toBeUndefined();
    await codes.consume('c1');
    const found = await codes.find('c1');
    expect(found?.consumed).toBe(Math.floor(clock.now() / 1000));
    expect(found?.grantId).toBe('g0');
    await codes.consume('missing');
    expect(await codes.find('missing')).toBeUndefined();
  });

  it('revokes by grant id within one model only', async () => {
    const tokens = make('AccessToken');
    const codes = make('AuthorizationCode');
    await tokens.upsert('t1', { kind: 'AccessToken', jti: 't1', grantId: 'g1' }, 600);
    await tokens.upsert('t2', { kind: 'AccessToken', jti: 't2', grantId: 'g1' }, 60);
    await tokens.upsert('t3', { kind: 'AccessToken', jti: 't3', grantId: 'g2' }, 600);
    await codes.upsert('k1', { kind: 'AuthorizationCode', jti: 'k1', grantId: 'g1' }, 60);
    await tokens.revokeByGrantId('g1');
    expect(await tokens.find('t1')).toBeUndefined();
    expect(await tokens.find('t2')).toBeUndefined();
    expect(await tokens.find('t3')).toBeDefined();
    expect(await codes.find('k1')).toBeDefined();
    await codes.revokeByGrantId('g1');
    expect(await codes.find('k1')).toBeUndefined();
  });

  it('finds a session by uid and a device code by user code', async () => {
    const sessions = make('Session');
    await sessions.upsert('s1', { kind: 'Session', jti: 's1', uid: 'u-1', accountId: 'acc' }, 3600);
    expect(await sessions.findByUid('u-1')).toMatchObject({ jti: 's1', accountId: 'acc' });
    expect(await sessions.findByUid('u-2')).toBeUndefined();
    const devices = make('DeviceCode');
    await devices.upsert('d1', { kind: 'DeviceCode', jti: 'd1', userCode: 'ABCD-EFGH' }, 600);
    expect(await devices.findByUserCode('ABCD-EFGH')).toMatchObject({ jti: 'd1' });
    await devices.destroy('d1');
    expect(await devices.findByUserCode('ABCD-EFGH')).toBeUndefined();
    clock.advance(3_600_000);
    expect(await sessions.findByUid('u-1')).toBeUndefined();
  });

  it('sweeps expired rows (SQL)', async () => {
    if (!sweep) return expect(name).toBe('redis');
    const codes = make('AuthorizationCode');
    await codes.upsert('sw', { kind: 'AuthorizationCode', jti: 'sw' }, 1);
    clock.advance(1000);
    expect(await sweep()).toBeGreaterThan(0);
  });
});

describe('adapter factory', () => {
  it('puts durable models in SQL and short-lived ones in Redis', async () => {
    const clock = createManualClock();
    const db = await createTestDatabase('sqlite');
    const r = await createTestRedis();
    try {
      const factory = createOidcAdapterFactory({ db: db.db, redis: r.redis, prefix: r.prefix, clock });
      expect(factory('Grant')).toBe(factory('Grant'));
      await factory('Grant').upsert('g', { kind: 'Grant', jti: 'g', accountId: 'user-1' }, 60);
      await factory('Session').upsert('s', { kind: 'Session', jti: 's', uid: 'u' }, 60);
      const rows = await db.db.selectFrom('oauth_models').select(['model', 'account_id']).execute();
      expect(rows).toEqual([{ model: 'Grant', account_id: 'user-1' }]);
      expect(await r.redis.exists(`${r.prefix}oidc:Session:s`)).toBe(1);
    } finally {
      await r.dispose();
      await db.dispose();
    }
  });
});

describe('oauth_models lookups on SQLite', () => {
  it('use the partial indexes (col = ? implies col is not null)', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const plan = async (column: string) => {
        const rows = await sql<{ detail: string }>`explain query plan select payload from oauth_models where ${sql.ref(column)} = ${'x'} and model = ${'Session'}`.execute(db.db);
        return rows.rows.map((r) => r.detail).join(' | ');
      };
      expect(await plan('uid')).toContain('oauth_models_uid');
      expect(await plan('user_code')).toContain('oauth_models_user_code');
      expect(await plan('grant_id')).toContain('oauth_models_grant');
      expect(await plan('account_id')).toContain('oauth_models_account');
    } finally {
      await db.dispose();
    }
  });
});
