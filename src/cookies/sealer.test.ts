import { CompactEncrypt, compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createManualClock, deriveKey } from '../core/index.js';
import { createCookieSealer } from './index.js';

const SECRET = 'a-test-instance-secret-of-at-least-32-characters';

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (e: { code?: string }) => e.code ?? String(e));

describe('sealed auth cookie', () => {
  it('round-trips only uid, ver, iat and exp, encrypted', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const sealer = createCookieSealer({ secret: SECRET, clock, lifetimeSec: 3600 });
    const value = await sealer.seal({ uid: 'user-123', ver: 4 });
    const iat = Date.UTC(2026, 0, 1) / 1000;
    expect(await sealer.unseal(value)).toEqual({ uid: 'user-123', ver: 4, iat, exp: iat + 3600 });
    // Compact JWE, dir + A256GCM; the user id is not readable in it.
    const parts = value.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[1]).toBe('');
    expect(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM' });
    expect(value).not.toContain('user-123');
    expect(Buffer.from(parts[3]!, 'base64url').toString('latin1')).not.toContain('user-123');
  });

  it('rejects a tampered cookie, garbage, and one sealed under another secret', async () => {
    const clock = createManualClock();
    const sealer = createCookieSealer({ secret: SECRET, clock, lifetimeSec: 3600 });
    const value = await sealer.seal({ uid: 'u', ver: 1 });
    const parts = value.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const index of [0, 2, 3, 4]) {
      const tampered = parts.map((p, i) => (i === index ? flip(p) : p)).join('.');
      expect(await codeOf(sealer.unseal(tampered)), `part ${index}`).toBe('GH_AUTH_COOKIE_INVALID');
    }
    for (const garbage of ['', 'abc', 'a.b.c.d.e', 'x'.repeat(5000), `${value}.extra`]) {
      expect(await codeOf(sealer.unseal(garbage))).toBe('GH_AUTH_COOKIE_INVALID');
    }
    const other = createCookieSealer({ secret: `${SECRET}-other`, clock, lifetimeSec: 3600 });
    expect(await codeOf(other.unseal(value))).toBe('GH_AUTH_COOKIE_INVALID');
  });

  it('expires by the injected clock', async () => {
    const clock = createManualClock();
    const sealer = createCookieSealer({ secret: SECRET, clock, lifetimeSec: 600 });
    const value = await sealer.seal({ uid: 'u', ver: 1 });
    clock.advance(599_000);
    await expect(sealer.unseal(value)).resolves.toMatchObject({ uid: 'u' });
    clock.advance(1000);
    expect(await codeOf(sealer.unseal(value))).toBe('GH_AUTH_COOKIE_EXPIRED');
  });

  it('carries the credential version, so a bumped user version outdates it', async () => {
    const sealer = createCookieSealer({ secret: SECRET, clock: createManualClock(), lifetimeSec: 600 });
    const before = await sealer.unseal(await sealer.seal({ uid: 'u', ver: 1 }));
    const after = await sealer.unseal(await sealer.seal({ uid: 'u', ver: 2 }));
    // The guard compares `ver` with the user's credentialVersion; the sealer must keep it exact.
    expect([before.ver, after.ver]).toEqual([1, 2]);
  });

  it('never puts the cookie in an error message', async () => {
    const sealer = createCookieSealer({ secret: SECRET, clock: createManualClock(), lifetimeSec: 600 });
    const value = (await sealer.seal({ uid: 'u', ver: 1 })).slice(0, -3) + 'AAA';
    const error = await sealer.unseal(value).catch((e: Error) => e);
    expect((error as Error).message).not.toContain(value.slice(0, 20));
  });

  // The sealer writes the JWE with node:crypto; cookies sealed by jose before that change must still
  // read, and jose must read what it writes now (the format is RFC 7516 compact, dir + A256GCM).
  describe('is the same JWE jose writes and reads', () => {
    const key = deriveKey(SECRET, 'gatehouse/sealed-cookie');
    const encoder = new TextEncoder();

    it('reads a cookie jose sealed', async () => {
      const clock = createManualClock(Date.UTC(2026, 0, 1));
      const iat = Math.floor(clock.now() / 1000);
      const claims = { uid: 'user-jose', ver: 7, iat, exp: iat + 600 };
      const value = await new CompactEncrypt(encoder.encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
      const sealer = createCookieSealer({ secret: SECRET, clock, lifetimeSec: 600 });
      expect(await sealer.unseal(value)).toEqual(claims);
      // A header jose accepts but spelled otherwise (members reordered) still names dir + A256GCM only.
      const reordered = await new CompactEncrypt(encoder.encode(JSON.stringify(claims))).setProtectedHeader({ enc: 'A256GCM', alg: 'dir' }).encrypt(key);
      expect(await sealer.unseal(reordered)).toEqual(claims);
    });

    it('writes a cookie jose reads', async () => {
      const clock = createManualClock(Date.UTC(2026, 0, 1));
      const sealer = createCookieSealer({ secret: SECRET, clock, lifetimeSec: 600 });
      const value = await sealer.seal({ uid: 'user-node', ver: 3 });
      const { plaintext, protectedHeader } = await compactDecrypt(value, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM' });
      const iat = Math.floor(clock.now() / 1000);
      expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual({ uid: 'user-node', ver: 3, iat, exp: iat + 600 });
    });

    it('refuses a header with anything beyond dir + A256GCM, even when jose sealed it under the right key', async () => {
      const sealer = createCookieSealer({ secret: SECRET, clock: createManualClock(), lifetimeSec: 600 });
      const claims = { uid: 'u', ver: 1, iat: 0, exp: 4_000_000_000 };
      const extra = await new CompactEncrypt(encoder.encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'x' }).encrypt(key);
      expect(await codeOf(sealer.unseal(extra))).toBe('GH_AUTH_COOKIE_INVALID');
      const otherEnc = await new CompactEncrypt(encoder.encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'dir', enc: 'A128GCM' }).encrypt(key.slice(0, 16));
      expect(await codeOf(sealer.unseal(otherEnc))).toBe('GH_AUTH_COOKIE_INVALID');
    });
  });
});
