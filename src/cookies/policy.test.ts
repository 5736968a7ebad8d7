import { describe, expect, it } from 'vitest';
import { COOKIE_NAMES, createCookiePolicy } from './index.js';

describe('cookie policy', () => {
  it('uses the __Host-/__Secure- names with Secure on HTTPS', () => {
    const policy = createCookiePolicy({ origin: 'https://auth.example.com', secure: 'auto' });
    expect(policy.secure).toBe(true);
    expect(policy.names).toEqual({ ...COOKIE_NAMES });
    expect(policy.warning).toBeNull();
  });

  it('keeps the prefixed names on plain-HTTP localhost, which browsers treat as trustworthy', () => {
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://app.localhost:3000', 'http://[::1]:3000']) {
      const policy = createCookiePolicy({ origin, secure: 'auto' });
      expect(policy.names.session, origin).toBe('__Host-gh.sid');
      expect(policy.secure, origin).toBe(true);
      expect(policy.warning, origin).toBeNull();
    }
  });

  it('falls back to plain names, without Secure and with one warning, on other plain-HTTP hosts', () => {
    const policy = createCookiePolicy({ origin: 'http://gatehouse.test:3000', secure: 'auto' });
    expect(policy.secure).toBe(false);
    expect(policy.names).toEqual({ session: 'gh.sid', auth: 'gh.auth', refresh: 'gh.rt', theme: 'gh.theme', lang: 'gh.lang' });
    expect(policy.warning).toMatch(/plain names/);
    expect(policy.options('session').secure).toBe(false);
  });

  it('falls back when Secure is switched off, and warns when it is forced on where browsers drop it', () => {
    expect(createCookiePolicy({ origin: 'https://a.example', secure: false }).names.session).toBe('gh.sid');
    const forced = createCookiePolicy({ origin: 'http://10.0.0.5:3000', secure: true });
    expect(forced.secure).toBe(true);
    expect(forced.names.session).toBe('gh.sid');
    expect(forced.warning).toMatch(/drop/);
  });

  it('sets the flags each kind needs', () => {
    const policy = createCookiePolicy({ origin: 'https://a.example', secure: 'auto' });
    expect(policy.options('session', 60)).toEqual({ secure: true, path: '/', httpOnly: true, sameSite: 'lax', maxAge: 60 });
    expect(policy.options('auth')).toEqual({ secure: true, path: '/', httpOnly: true, sameSite: 'lax' });
    expect(policy.options('refresh', 100)).toEqual({ secure: true, path: '/api/auth/jwt', httpOnly: true, sameSite: 'strict', maxAge: 100 });
    expect(policy.options('preference')).toEqual({ secure: true, path: '/', httpOnly: false, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
    // __Host- demands Secure, Path=/ and no Domain.
    for (const kind of ['session', 'auth'] as const) {
      const o = policy.options(kind);
      expect(o.path).toBe('/');
      expect(o).not.toHaveProperty('domain');
    }
  });
});
