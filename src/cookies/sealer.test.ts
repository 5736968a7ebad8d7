import { describe, expect, it } from 'vitest';
import { createManualClock } from '../core/index.js';
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
});
