import { exportJWK, generateKeyPair, SignJWT, errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeToken, secondsLeft, verdictFromError } from '../../web/src/lib/jwt.js';
import { verifyInBrowser } from '../../web/src/lib/jwt-verify.js';

async function signed(claims: Record<string, unknown> = {}) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
  const token = await new SignJWT({ sub: 'u1', scope: 'openid', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  return { token, jwks: { keys: [jwk] } };
}

describe('decodeToken', () => {
  it('splits a JWS into its header, payload and signature', async () => {
    const { token } = await signed();
    const decoded = decodeToken(token)!;
    expect(decoded.header).toEqual({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' });
    expect(decoded.payload.sub).toBe('u1');
    expect(decoded.parts.header + '.' + decoded.parts.payload + '.' + decoded.parts.signature).toBe(token);
    expect(decoded.signatureBytes).toBe(64); // Ed25519 signatures are 64 bytes
  });

  it('returns null for anything that is not a compact JWS', () => {
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '!!.??.##', 'eyJhbGciOiJub25lIn0.bm90IGpzb24.']) expect(decodeToken(bad), bad).toBeNull();
  });

  it('counts the seconds left before exp', () => {
    expect(secondsLeft({ exp: 1000 }, 990_000)).toBe(10);
    expect(secondsLeft({ exp: 1000 }, 1_005_000)).toBe(-5);
    expect(secondsLeft({}, 0)).toBeNull();
  });
});

describe('verifyInBrowser (WebCrypto via jose)', () => {
  it('accepts a token signed by a key in the JWKS', async () => {
    const { token, jwks } = await signed();
    expect(await verifyInBrowser(token, jwks)).toEqual({ state: 'valid', kid: 'k1', alg: 'EdDSA' });
  });

  it('rejects a payload changed in transit', async () => {
    const { token, jwks } = await signed();
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', exp: 9e9 })).toString('base64url')}.${s}`;
    expect(await verifyInBrowser(forged, jwks)).toMatchObject({ state: 'invalid' });
  });

  it('rejects a token whose key is not published', async () => {
    const { token } = await signed();
    const other = await signed();
    expect(await verifyInBrowser(token, other.jwks)).toMatchObject({ state: 'invalid' });
  });

  it('says "unsupported" when the browser lacks the algorithm', () => {
    expect(verdictFromError(new errors.JOSENotSupported('no'), 'EdDSA')).toEqual({ state: 'unsupported', alg: 'EdDSA' });
    const domError = Object.assign(new Error('Algorithm: Unrecognized name'), { name: 'NotSupportedError' });
    expect(verdictFromError(domError, 'EdDSA')).toEqual({ state: 'unsupported', alg: 'EdDSA' });
  });
});
