import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, type RequestCredentials } from '../core/index.js';
import { createSqlKeyValueStore } from '../storage/index.js';
import { createTestDatabase } from '../../test/support/services.js';
import type { BearerUser } from './bearer-resolver.js';
import { createTokenService, type TokenService } from './token-service.js';

const request = (token: string): RequestCredentials => ({ method: 'GET', url: 'http://x/api/me', cookies: {}, authorization: `Bearer ${token}`, headers: {}, ip: '127.0.0.1' });

describe('token service: self-contained access tokens', () => {
  const clock = createManualClock();
  const users = new Map<string, BearerUser>([['u1', { id: 'u1', email: 'ada@example.com', name: 'Ada', roles: ['admin'] }]]);
  let lookups = 0;
  const getUser = async (id: string) => {
    lookups++;
    return users.get(id) ?? null;
  };
  let service: TokenService;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const db = await createTestDatabase('sqlite');
    dispose = db.dispose;
    service = await createTokenService({ db: db.db, kv: createSqlKeyValueStore(db.db, clock), secret: 's'.repeat(40), clock, ids: cryptoIds, config: loadConfig().config, getUser });
  });
  afterAll(async () => {
    service.close();
    await dispose();
  });

  it('carries the profile, so the guard needs no user read per request', async () => {
    const pair = await service.signIn({ userId: 'u1', ip: null, userAgent: null });
    expect(pair.claims).toMatchObject({ email: 'ada@example.com', name: 'Ada', roles: ['admin'] });
    const resolver = service.bearerResolver(getUser);
    lookups = 0;
    const principal = await resolver.resolve(request(pair.accessToken));
    expect(principal).toMatchObject({ userId: 'u1', email: 'ada@example.com', roles: ['admin'], credential: { kind: 'jwt', id: pair.familyId, scopes: ['api'] } });
    expect(lookups).toBe(0);
    expect(await resolver.resolve({ ...request(''), authorization: undefined })).toBeNull();
    await expect(resolver.resolve({ ...request(''), authorization: 'Bearer a b' })).rejects.toMatchObject({ code: 'GH_TOKEN_MALFORMED' });
  });

  it('a role change reaches the token at the next refresh; a deleted user cannot refresh', async () => {
    const pair = await service.signIn({ userId: 'u1', ip: null, userAgent: null });
    users.set('u1', { id: 'u1', email: 'ada@example.com', name: 'Ada', roles: [] });
    const next = await service.refresh(pair.refreshToken);
    expect(next.claims.roles).toEqual([]);
    users.delete('u1');
    await expect(service.refresh(next.refreshToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_INVALID' });
    await expect(service.accessTokens.verify(next.accessToken)).rejects.toMatchObject({ code: 'GH_TOKEN_REVOKED' });
  });
});
