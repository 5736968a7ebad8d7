// Property: "log out other devices" and the device list cover JWT sign-ins. The attack: a JWT sign-in
// (a phone app, or an attacker's copy of its tokens) hides from the session list and survives "log out
// other devices"; the user looks for it, revokes it, and the attacker tries the access token, the
// refresh token and a socket on every node.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClient } from '../support/client.js';
import { BACKENDS, bearer, endedBy, handshakeRefused, jwtLogin, jwtRefresh, sessionLogin, signUp, socketWith, startSecurityStack, type SecurityStack } from './support.js';

// Each case walks a whole attack across real nodes; a loaded machine may need more than the default.
vi.setConfig({ testTimeout: 180_000 });

describe.each(BACKENDS)('JWT sign-ins are devices ($label)', (backend) => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack(backend);
  }, 120_000);
  afterAll(() => s?.dispose());

  it('a JWT sign-in is listed beside sessions (created, last used, IP, user agent) and revoked one by one', async () => {
    const user = await signUp(s.a, 'devices');
    const laptop = await sessionLogin(s.a, user, 'Laptop Browser');
    const phone = await jwtLogin(s.a, user, 'Phone App/1.0');
    const tablet = await jwtLogin(s.a, user, 'Tablet App/2.0');
    const socket = await socketWith(s.socketNode, { token: phone.access });
    const ended = endedBy(socket);

    const list = await laptop.get('/api/auth/sessions');
    expect(list.status).toBe(200);
    const devices = list.body.sessions as { id: string; kind: string; userAgent: string; ip: string; createdAt: number; lastSeenAt: number; current: boolean }[];
    expect(devices.map((d) => [d.kind, d.userAgent]).sort()).toEqual([
      ['jwt', 'Phone App/1.0'],
      ['jwt', 'Tablet App/2.0'],
      ['session', 'Laptop Browser'],
    ]);
    const phoneDevice = devices.find((d) => d.id === phone.familyId)!;
    expect(phoneDevice).toMatchObject({ kind: 'jwt', ip: '127.0.0.1', current: false, createdAt: expect.any(Number), lastSeenAt: expect.any(Number) });
    expect(devices.find((d) => d.kind === 'session')!.current).toBe(true);

    expect((await laptop.delete(`/api/auth/sessions/${phone.familyId}`)).status).toBe(204);
    expect((await ended).error).toBe('GH_REALTIME_REVOKED');
    for (const node of [s.a, s.b]) {
      expect((await new TestClient(node.url, { origin: null }).get('/api/me', bearer(phone.access))).body.error).toBe('GH_TOKEN_REVOKED');
      expect((await jwtRefresh(node, phone.refresh)).status).toBe(401);
      expect(await handshakeRefused(node, { token: phone.access })).not.toBe('accepted');
    }
    // One by one: the tablet is untouched.
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/me', bearer(tablet.access))).status).toBe(200);
    // Someone else's device id is unknown to this user.
    const stranger = await signUp(s.a, 'stranger');
    const theirs = await jwtLogin(s.a, stranger);
    expect((await laptop.delete(`/api/auth/sessions/${theirs.familyId}`)).body.error).toBe('GH_SESSION_NOT_FOUND');
    expect((await new TestClient(s.a.url, { origin: null }).get('/api/me', bearer(theirs.access))).status).toBe(200);
  });

  it('"log out other devices" ends JWT sign-ins too, and keeps the caller’s own (session or JWT)', async () => {
    const user = await signUp(s.a, 'others');
    const laptop = await sessionLogin(s.a, user, 'Laptop Browser');
    const phone = await jwtLogin(s.a, user, 'Phone App/1.0');
    const socket = await socketWith(s.socketNode, { token: phone.access });
    const ended = endedBy(socket);

    const out = await laptop.post('/api/auth/sessions/revoke-others', {});
    expect(out.status).toBe(200);
    expect(out.body.revoked).toBe(1);
    expect((await ended).error).toBe('GH_REALTIME_REVOKED');
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/me', bearer(phone.access))).body.error).toBe('GH_TOKEN_REVOKED');
    expect((await jwtRefresh(s.b, phone.refresh)).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(200);

    // From a JWT sign-in: the session and the other sign-in end, the caller's family lives on.
    const tablet = await jwtLogin(s.a, user, 'Tablet App/2.0');
    const watch = await jwtLogin(s.a, user, 'Watch App/3.0');
    const fromTablet = await new TestClient(s.a.url, { origin: null }).post('/api/auth/sessions/revoke-others', {}, bearer(tablet.access));
    expect(fromTablet.body.revoked).toBe(2);
    expect((await laptop.get('/api/me')).status).toBe(401);
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/me', bearer(watch.access))).body.error).toBe('GH_TOKEN_REVOKED');
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/me', bearer(tablet.access))).status).toBe(200);
    expect((await jwtRefresh(s.b, tablet.refresh)).status).toBe(200);
  });
});
