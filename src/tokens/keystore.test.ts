import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig } from '../core/index.js';
import { createMemoryKeyValueStore, type Database } from '../storage/index.js';
import type { Kysely } from 'kysely';
import { createTestDatabase } from '../../test/support/services.js';
import { createAccessTokens } from './access-tokens.js';
import { createDenyList } from './deny-list.js';
import { createKeystore } from './keystore.js';

const SECRET = 'an-instance-secret-that-is-long-enough-0123456789';
const DAY = 86_400_000;

describe.each(['sqlite', 'postgres'] as const)('keystore on %s', (dialect) => {
  let db: Kysely<Database>;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const handle = await createTestDatabase(dialect);
    db = handle.db;
    dispose = handle.dispose;
  });
  afterAll(() => dispose());

  const fresh = async () => {
    await db.deleteFrom('token_keys').execute();
  };

  it('generates current and next keys of every algorithm on first start, private halves encrypted at rest', async () => {
    await fresh();
    const clock = createManualClock();
    const { config } = loadConfig();
    const keystore = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const rows = await db.selectFrom('token_keys').selectAll().execute();
    expect(rows.map((r) => `${r.alg} ${r.state}`).sort()).toEqual(['ES256 current', 'ES256 next', 'EdDSA current', 'EdDSA next', 'RS256 current', 'RS256 next']);
    for (const row of rows) {
      expect(row.private_jwe!.split('.')).toHaveLength(5);
      const publicJwk = JSON.parse(row.public_jwk) as { x?: string; n?: string; d?: string };
      expect(publicJwk.d).toBeUndefined();
      expect(row.private_jwe).not.toContain((publicJwk.x ?? publicJwk.n)!);
    }
    const jwks = await keystore.jwks();
    // The configured algorithm's current key first, then the other lanes' current keys, then the next ones.
    expect(jwks.keys).toHaveLength(6);
    expect(jwks.keys[0]!.kid).toBe((await keystore.signingKey()).kid);
    expect(jwks.keys.slice(0, 3).map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    expect(jwks.keys[3]!.kid).toBe(rows.find((r) => r.state === 'next' && r.alg === 'EdDSA')!.kid);
    expect((await keystore.signingKey('RS256')).alg).toBe('RS256');
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
    expect((await keystore.privateJwks()).keys[0]).toHaveProperty('d');
    keystore.close();

    // A second node (same store, same secret) agrees on the keys instead of minting its own.
    const other = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    expect((await other.signingKey()).kid).toBe((await keystore.signingKey()).kid);
    other.close();

    // The wrong instance secret cannot read them.
    await expect(createKeystore({ db, secret: 'x'.repeat(40), clock, ids: cryptoIds, config })).rejects.toMatchObject({ code: 'GH_TOKEN_KEYSTORE_UNREADABLE' });
  });

  it('keeps a previous key verifying until its tokens expired, then retires it from the JWKS', async () => {
    await fresh();
    const clock = createManualClock();
    const { config } = loadConfig();
    const keystore = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const tokens = createAccessTokens({ keystore, denyList: createDenyList(createMemoryKeyValueStore(clock), clock), clock, ids: cryptoIds, config, issuer: 'i', audience: 'a' });
    const before = await keystore.signingKey();
    const nextKid = (await keystore.jwks()).keys.find((k) => k.alg === 'EdDSA' && k.kid !== before.kid)!.kid;
    const rsaBefore = (await keystore.signingKey('RS256')).kid;
    const { token } = await tokens.issue({ sub: 'u', sid: 's' });

    const result = await keystore.rotate();
    expect(result.current).toBe(nextKid);
    expect((await keystore.signingKey()).kid).toBe(nextKid);
    expect((await keystore.jwks()).keys.filter((k) => k.alg === 'EdDSA').map((k) => k.kid)).toEqual([nextKid, result.next, before.kid]);
    // Every lane rotates with the configured one.
    expect((await keystore.signingKey('RS256')).kid).not.toBe(rsaBefore);
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'u' });

    // accessTtl + tolerance later the old key is gone: from the JWKS, and as a verification key.
    clock.advance((600 + 30) * 1000);
    expect((await keystore.jwks()).keys.map((k) => k.kid)).not.toContain(before.kid);
    expect(await keystore.verificationKey(before.kid)).toBeNull();
    await keystore.reload();
    const retired = await db.selectFrom('token_keys').selectAll().where('kid', '=', before.kid).executeTakeFirstOrThrow();
    expect(retired.state).toBe('retired');
    expect(retired.private_jwe).toBeNull();
    keystore.close();
  });

  it('two nodes rotating at once rotate exactly once', async () => {
    await fresh();
    const clock = createManualClock();
    const { config } = loadConfig();
    const a = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const b = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const [ra, rb] = await Promise.all([a.rotate(), b.rotate()]);
    expect(ra.current).toBe(rb.current);
    const states = (await db.selectFrom('token_keys').select('state').execute()).map((r) => r.state).sort();
    expect(states).toEqual(['current', 'current', 'current', 'next', 'next', 'next', 'previous', 'previous', 'previous']);
    a.close();
    b.close();
  });

  it('rotates automatically on the configured interval, once across nodes', async () => {
    await fresh();
    const clock = createManualClock();
    const { config } = loadConfig({ tokens: { keyRotationSec: 7 * 86_400 } });
    const a = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const b = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const first = (await a.signingKey()).kid;
    clock.advance(7 * DAY - 1000);
    await Promise.all([a.whenIdle(), b.whenIdle()]);
    expect((await a.signingKey()).kid).toBe(first);
    clock.advance(1000);
    await Promise.all([a.whenIdle(), b.whenIdle()]);
    const second = (await a.signingKey()).kid;
    expect(second).not.toBe(first);
    expect((await b.signingKey()).kid).toBe(second);
    expect(await db.selectFrom('token_keys').select('kid').where('state', '=', 'previous').execute()).toHaveLength(3);
    a.close();
    b.close();
  });

  it.each(['ES256', 'RS256'] as const)('signs with %s when configured, and keeps the other lanes verifying', async (alg) => {
    await fresh();
    const clock = createManualClock();
    const eddsa = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config: loadConfig().config });
    const oldKid = (await eddsa.signingKey()).kid;
    eddsa.close();
    const { config } = loadConfig({ tokens: { algorithm: alg } });
    const keystore = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const signing = await keystore.signingKey();
    expect(signing.alg).toBe(alg);
    const published = (await keystore.jwks()).keys;
    expect(published.filter((k) => k.alg === alg)).toHaveLength(2);
    expect(published.find((k) => k.kid === oldKid)?.alg).toBe('EdDSA');
    const tokens = createAccessTokens({ keystore, denyList: createDenyList(createMemoryKeyValueStore(clock), clock), clock, ids: cryptoIds, config: config, issuer: 'i', audience: 'a' });
    const { token } = await tokens.issue({ sub: 'u', sid: 's' });
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'u' });
    keystore.close();
  });

  it('sees a rotation made by another process after reload (e.g. `gatehouse keys rotate`)', async () => {
    await fresh();
    const clock = createManualClock();
    const { config } = loadConfig();
    const node = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const cli = await createKeystore({ db, secret: SECRET, clock, ids: cryptoIds, config });
    const { current } = await cli.rotate();
    cli.close();
    // Until it reloads, the node still knows the new current key as its published `next`.
    expect(await node.verificationKey(current)).not.toBeNull();
    await node.reload();
    expect((await node.signingKey()).kid).toBe(current);
    node.close();
  });
});
