import { KeyObject, sign } from 'node:crypto';
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, type ErrorCode } from '../core/index.js';
import { createMemoryKeyValueStore } from '../storage/index.js';
import { createTestDatabase } from '../../test/support/services.js';
import { createAccessTokens, type AccessTokens } from './access-tokens.js';
import { createDenyList, type DenyList } from './deny-list.js';
import { createKeystore, type Keystore } from './keystore.js';

const ISS = 'https://gh.example';
const AUD = 'https://gh.example/api';
const SECRET = 'an-instance-secret-that-is-long-enough-0123456789';
const nodeKey = (key: CryptoKey) => KeyObject.from(key);

async function rejects(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toMatchObject({ code });
  expect((error as { headers?: Record<string, string> }).headers?.['WWW-Authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
}

describe('access tokens: RFC 8725 attack suite', () => {
  const clock = createManualClock();
  const { config } = loadConfig({ tokens: { algorithm: 'EdDSA' } });
  let keystore: Keystore;
  let tokens: AccessTokens;
  let denyList: DenyList;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase('sqlite');
    dispose = db.dispose;
    keystore = await createKeystore({ db: db.db, secret: SECRET, clock, ids: cryptoIds, config });
    denyList = createDenyList(createMemoryKeyValueStore(clock), clock);
    tokens = createAccessTokens({ keystore, denyList, clock, ids: cryptoIds, config, issuer: ISS, audience: AUD });
  });
  afterAll(async () => {
    keystore.close();
    await dispose();
  });

  const now = () => Math.floor(clock.now() / 1000);
  const baseClaims = () => ({ iss: ISS, aud: AUD, sub: 'user-1', sid: 'fam-1', jti: 'j1', scope: 'api', iat: now(), exp: now() + 600 });
  /** Signs with our own current key: only the named claim or header is wrong. */
  async function ours(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const { kid, alg, privateKey } = await keystore.signingKey();
    return new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'at+jwt', ...header }).sign(privateKey);
  }

  it('issues a token that verifies, with the RFC 9068 header and claims', async () => {
    const { token, expiresIn, claims } = await tokens.issue({ sub: 'user-1', sid: 'fam-1' });
    expect(expiresIn).toBe(600);
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[0]!))) as Record<string, string>;
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: (await keystore.signingKey()).kid });
    const verified = await tokens.verify(token);
    expect(verified).toMatchObject({ iss: ISS, aud: AUD, sub: 'user-1', sid: 'fam-1', scope: 'api', jti: claims.jti });
    expect(verified.exp - verified.iat).toBe(600);
  });

  it('rejects alg none', async () => {
    const { kid } = await keystore.signingKey();
    const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
    await rejects(tokens.verify(`${enc({ alg: 'none', typ: 'at+jwt', kid })}.${enc(baseClaims())}.`), 'GH_TOKEN_INVALID');
  });

  it('rejects HS256 signed with the public key as the HMAC secret (alg confusion)', async () => {
    const { kid } = await keystore.signingKey();
    const publicJwk = (await keystore.jwks()).keys.find((k) => k.kid === kid)!;
    for (const secret of [new TextEncoder().encode(JSON.stringify(publicJwk)), base64url.decode(publicJwk.x!)]) {
      const forged = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' }).sign(secret);
      await rejects(tokens.verify(forged), 'GH_TOKEN_INVALID');
    }
  });

  it('rejects a tampered payload and a tampered signature', async () => {
    const { token } = await tokens.issue({ sub: 'user-1', sid: 'fam-1' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
    const admin = base64url.encode(JSON.stringify({ ...claims, sub: 'admin' }));
    await rejects(tokens.verify(`${h}.${admin}.${s}`), 'GH_TOKEN_INVALID');
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    await rejects(tokens.verify(`${h}.${p}.${flipped}`), 'GH_TOKEN_INVALID');
  });

  it('rejects an expired token, honouring the 30 s clock tolerance', async () => {
    const { token } = await tokens.issue({ sub: 'user-1', sid: 'fam-1' });
    clock.advance((600 + 29) * 1000);
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    clock.advance(2_000);
    await rejects(tokens.verify(token), 'GH_TOKEN_EXPIRED');
  });

  it('rejects a token that is not valid yet (nbf beyond the tolerance)', async () => {
    await rejects(tokens.verify(await ours({ ...baseClaims(), nbf: now() + 120 })), 'GH_TOKEN_NOT_YET_VALID');
    await expect(tokens.verify(await ours({ ...baseClaims(), nbf: now() + 20 }))).resolves.toBeTruthy();
  });

  it('rejects a wrong issuer, audience or typ', async () => {
    await rejects(tokens.verify(await ours({ ...baseClaims(), iss: 'https://evil.example' })), 'GH_TOKEN_INVALID');
    await rejects(tokens.verify(await ours({ ...baseClaims(), aud: 'https://other.example/api' })), 'GH_TOKEN_INVALID');
    await rejects(tokens.verify(await ours(baseClaims(), { typ: 'JWT' })), 'GH_TOKEN_INVALID');
    const { token } = await tokens.issue({ sub: 'user-1', sid: 'fam-1' });
    await rejects(tokens.verify(token, { audience: 'https://chat.example' }), 'GH_TOKEN_INVALID');
  });

  it('rejects kid injection without touching the store', async () => {
    for (const kid of ['../../../../etc/passwd', "' OR '1'='1", 'x"; DROP TABLE token_keys; --', '', 'a'.repeat(500)]) {
      await rejects(tokens.verify(await ours(baseClaims(), { kid })), 'GH_TOKEN_KEY_UNKNOWN');
    }
    await rejects(tokens.verify(await ours(baseClaims(), { kid: undefined })), 'GH_TOKEN_KEY_UNKNOWN');
    // The keystore is intact after the SQL-looking kid.
    expect((await keystore.jwks()).keys.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a token signed by a foreign key that claims one of our kids', async () => {
    const { kid } = await keystore.signingKey();
    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' }).sign(foreign.privateKey);
    await rejects(tokens.verify(forged), 'GH_TOKEN_INVALID');
    const unknownKid = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'EdDSA', kid: 'not-one-of-ours', typ: 'at+jwt' }).sign(foreign.privateKey);
    await rejects(tokens.verify(unknownKid), 'GH_TOKEN_KEY_UNKNOWN');
  });

  it('never lets the token name its own key (jwk, jku, x5u, crit headers)', async () => {
    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const jwk = await exportJWK(foreign.publicKey);
    const embedded = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'EdDSA', jwk, typ: 'at+jwt' }).sign(foreign.privateKey);
    await rejects(tokens.verify(embedded), 'GH_TOKEN_INVALID');
    await rejects(tokens.verify(await ours(baseClaims(), { jku: 'https://evil.example/jwks.json' })), 'GH_TOKEN_INVALID');
    await rejects(tokens.verify(await ours(baseClaims(), { x5u: 'https://evil.example/cert.pem' })), 'GH_TOKEN_INVALID');
    const { kid, alg, privateKey } = await keystore.signingKey();
    const crit = await new SignJWT({ ...baseClaims() }).setProtectedHeader({ alg, kid, typ: 'at+jwt', crit: ['exp'] }).sign(privateKey).catch(() => null);
    if (crit) await rejects(tokens.verify(crit), 'GH_TOKEN_INVALID');
  });

  it('rejects malformed input with a coded error, never a crash', async () => {
    for (const junk of ['', 'abc', 'a.b', 'a.b.c.d', '!!!.???.***', 'eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln', 'x'.repeat(10_000)]) {
      const error = await tokens.verify(junk).catch((e: unknown) => e);
      expect(['GH_TOKEN_MALFORMED', 'GH_TOKEN_INVALID', 'GH_TOKEN_KEY_UNKNOWN']).toContain((error as { code: string }).code);
    }
    await rejects(tokens.verify(undefined as unknown as string), 'GH_TOKEN_MALFORMED');
  });

  it('remembers a verified token without skipping the deny-list or the clock', async () => {
    const { token } = await tokens.issue({ sub: 'user-9', sid: 'fam-9' });
    const first = await tokens.verify(token);
    expect(await tokens.verify(token)).toEqual(first);
    await denyList.deny('fam-9', clock.now() + 60_000);
    await rejects(tokens.verify(token), 'GH_TOKEN_REVOKED');
    clock.advance(60_000);
    expect(await tokens.verify(token)).toEqual(first);
    clock.advance(600_000);
    await rejects(tokens.verify(token), 'GH_TOKEN_EXPIRED');
  });

  it('answers verifyKnown only for a token it has verified, with the deny-list and the clock checked on every use', async () => {
    const { token } = await tokens.issue({ sub: 'user-8', sid: 'fam-8' });
    // Not verified yet, or not a token at all: null, nothing decoded, nothing thrown.
    expect(await tokens.verifyKnown(token)).toBeNull();
    expect(await tokens.verifyKnown('not.a.token')).toBeNull();
    const claims = await tokens.verify(token);
    expect(await tokens.verifyKnown(token)).toEqual(claims);
    await denyList.deny('fam-8', clock.now() + 60_000);
    await rejects(tokens.verifyKnown(token), 'GH_TOKEN_REVOKED');
    clock.advance(60_000);
    expect(await tokens.verifyKnown(token)).toEqual(claims);
    // Expired: forgotten, so the full check names the reason.
    clock.advance(600_000);
    expect(await tokens.verifyKnown(token)).toBeNull();
    await rejects(tokens.verify(token), 'GH_TOKEN_EXPIRED');
  });

  it('fails closed with a coded 503 when the deny-list cannot be read', async () => {
    const broken = createAccessTokens({
      keystore,
      denyList: { deny: async () => {}, isDenied: async () => Promise.reject(new Error('connection refused')) },
      clock,
      ids: cryptoIds,
      config,
      issuer: ISS,
      audience: AUD,
    });
    const { token } = await broken.issue({ sub: 'user-1', sid: 'fam-1' });
    await expect(broken.verify(token)).rejects.toMatchObject({ code: 'GH_STORAGE_UNAVAILABLE', statusCode: 503 });
  });

  it('answers any input, however shaped, with a GH_TOKEN_* rejection (property)', async () => {
    const { kid } = await keystore.signingKey();
    const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
    const header = fc.record({ alg: fc.constantFrom('EdDSA', 'HS256', 'none', 'RS256', 'ES256'), kid: fc.oneof(fc.constant(kid), fc.string()), typ: fc.oneof(fc.constant('at+jwt'), fc.string()) }, { requiredKeys: [] });
    const shaped = fc.tuple(header, fc.dictionary(fc.string(), fc.jsonValue()), fc.base64String()).map(([h, p, sig]) => `${enc(h)}.${enc(p)}.${sig.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), shaped), async (input) => {
        const error = await tokens.verify(input).then(() => null, (e: unknown) => e);
        expect((error as { code?: string } | null)?.code).toMatch(/^GH_TOKEN_/);
      }),
      { numRuns: 300 },
    );
  });

  it('requires sid, jti and sub', async () => {
    const { sid: _sid, ...noSid } = baseClaims();
    await rejects(tokens.verify(await ours(noSid)), 'GH_TOKEN_INVALID');
  });

  // Signatures are checked with node:crypto, claims by our own code (no longer jose's jwtVerify): what
  // jose signs must verify, and what jose refused must still be refused.
  it('accepts the typ spellings RFC 8725 allows and refuses every other', async () => {
    expect(await tokens.verify(await ours(baseClaims(), { typ: 'application/at+JWT' }))).toMatchObject({ sub: 'user-1' });
    await rejects(tokens.verify(await ours(baseClaims(), { typ: 'JWT' })), 'GH_TOKEN_INVALID');
    const { typ: _typ, ...noTyp } = { typ: 'x', ...baseClaims() };
    const { kid, alg, privateKey } = await keystore.signingKey();
    await rejects(tokens.verify(await new SignJWT(noTyp).setProtectedHeader({ alg, kid }).sign(privateKey)), 'GH_TOKEN_INVALID');
  });

  it('refuses claims of the wrong type, an audience list without ours, and a payload that is no object', async () => {
    await rejects(tokens.verify(await ours({ ...baseClaims(), exp: String(now() + 600) })), 'GH_TOKEN_INVALID');
    await rejects(tokens.verify(await ours({ ...baseClaims(), iat: 'yesterday' })), 'GH_TOKEN_INVALID');
    await rejects(tokens.verify(await ours({ ...baseClaims(), nbf: 'soon' })), 'GH_TOKEN_INVALID');
    await rejects(tokens.verify(await ours({ ...baseClaims(), aud: ['https://elsewhere.example'] })), 'GH_TOKEN_INVALID');
    expect(await tokens.verify(await ours({ ...baseClaims(), aud: ['https://elsewhere.example', AUD] }))).toMatchObject({ sub: 'user-1' });
    // A correctly signed token whose payload is an array: its signature is ours, its claims are none.
    const { kid, alg, privateKey } = await keystore.signingKey();
    const header = base64url.encode(JSON.stringify({ alg, kid, typ: 'at+jwt' }));
    const payload = base64url.encode(JSON.stringify([1, 2, 3]));
    const signature = sign(null, Buffer.from(`${header}.${payload}`), nodeKey(privateKey));
    await rejects(tokens.verify(`${header}.${payload}.${signature.toString('base64url')}`), 'GH_TOKEN_MALFORMED');
  });

  it('verifies ES256 (raw r‖s signatures) and RS256 tokens jose signs, and refuses a DER-encoded ES256 signature', async () => {
    for (const alg of ['ES256', 'RS256'] as const) {
      const { config: other } = loadConfig({ tokens: { algorithm: alg } });
      const lane = createAccessTokens({ keystore, denyList, clock, ids: cryptoIds, config: other, issuer: ISS, audience: AUD });
      const signing = await keystore.signingKey(alg);
      const token = await new SignJWT(baseClaims()).setProtectedHeader({ alg, kid: signing.kid, typ: 'at+jwt' }).sign(signing.privateKey);
      expect(await lane.verify(token), alg).toMatchObject({ sub: 'user-1' });
      if (alg === 'ES256') {
        const [h, p] = token.split('.') as [string, string];
        const der = sign('sha256', Buffer.from(`${h}.${p}`), nodeKey(signing.privateKey));
        await rejects(lane.verify(`${h}.${p}.${der.toString('base64url')}`), 'GH_TOKEN_INVALID');
      }
    }
  });
});
