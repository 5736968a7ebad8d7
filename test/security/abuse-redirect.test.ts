// Open redirects through `return_to`: every form a browser could resolve to another host is refused
// with a 400 and a code (never a redirect, never a 500); a real path on this site still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameOriginPath } from '../../src/core/index.js';
import { startGatehouse, type RunningGatehouse } from '../oauth/support.js';

const ATTACKS = [
  '/\t/evil.example', // a tab: browsers drop it, leaving //evil.example
  '/\n/evil.example',
  '/\r/evil.example',
  '/\\evil.example', // browsers read \ as /
  '/\\/evil.example',
  '//evil.example',
  '///evil.example',
  '/.//evil.example', // normalises to //evil.example
  '/x/..//evil.example',
  'https://evil.example/',
  'HTTPS://evil.example',
  'javascript:alert(1)',
  'evil.example',
  ' /home',
  '/\u200b/evil.example', // an invisible character
  '/\u0000',
  '',
];

describe('redirect targets are same-origin paths only', () => {
  let gh: RunningGatehouse;

  beforeAll(async () => {
    gh = await startGatehouse();
    // A real provider (this very node's own OpenID Provider), so start runs its whole path.
    const registered = await gh.createClient({ name: 'Self', type: 'confidential', redirectUris: [`${gh.origin}/api/auth/federation/self/callback`], scopes: ['openid', 'email'] });
    const admin = await gh.gh.ctx.identity.signup({ email: 'admin@redirect.example', password: 'admin password 123', roles: ['admin'] });
    const session = await gh.gh.ctx.sessions.create({ userId: admin.id, ip: '127.0.0.1', userAgent: 'test' });
    const added = await fetch(`${gh.origin}/api/auth/federation/providers`, {
      method: 'POST',
      headers: { cookie: `${gh.gh.ctx.cookies.names.session}=${session.token}`, origin: gh.origin, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'self', kind: 'oidc', issuer: gh.issuer, clientId: registered.client_id, clientSecret: registered.client_secret, scope: 'openid email' }),
    });
    expect(added.status).toBe(201);
  }, 60_000);
  afterAll(() => gh?.close());

  const start = (returnTo: string) => fetch(`${gh.origin}/api/auth/federation/self/start?return_to=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });

  it.each(ATTACKS.map((a) => [JSON.stringify(a), a]))('refuses return_to=%s with a coded 400', async (_label, attack) => {
    const response = await start(attack);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.json()).toMatchObject({ error: 'GH_AUTH_RETURN_TO_INVALID' });
  });

  it('a path on this site is accepted and sent on to the provider', async () => {
    const response = await start('/chat?room=lobby#latest');
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).origin).toBe(gh.origin);
  });

  it('the same rule resolves every attack the way a browser would, to no other host', () => {
    for (const attack of ATTACKS) expect(sameOriginPath(attack)).toBeNull();
    for (const attack of ATTACKS) {
      // Whatever was accepted would have to stay on our origin once a browser parsed it.
      const accepted = sameOriginPath(attack.replace(/[\t\n\r]/g, ''));
      if (accepted !== null) expect(new URL(accepted, 'https://site.example').origin).toBe('https://site.example');
    }
    expect(sameOriginPath('/a/b?c=d#e')).toBe('/a/b?c=d#e');
    expect(sameOriginPath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });
});
