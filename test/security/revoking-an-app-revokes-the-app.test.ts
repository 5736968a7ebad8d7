// Property: revoking an app revokes the app. The attack: a client the user allowed from two browsers
// holds two grants, each with access and refresh tokens and a socket opened with them; the user
// revokes the app once; the client tries every token on the resource route, the token endpoint and
// the socket, on every node.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClient } from '../support/client.js';
import { Browser } from '../oauth/support.js';
import {
  BACKENDS,
  authorizeClient,
  bearer,
  endedBy,
  handshakeRefused,
  registerClient,
  sessionLogin,
  signUp,
  socketWith,
  startSecurityStack,
  tokenEndpoint,
  type SecurityStack,
} from './support.js';

// Each case walks a whole attack across real nodes; a loaded machine may need more than the default.
vi.setConfig({ testTimeout: 180_000 });

describe.each(BACKENDS)('revoking an app revokes the app ($label)', (backend) => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack(backend);
  }, 120_000);
  afterAll(() => s?.dispose());

  it('lists one entry per client, and revoking it ends every grant, token, refresh token and socket of that client', async () => {
    const user = await signUp(s.a, 'apps');
    const printer = await registerClient(s.a, 'Photo Printer');
    const other = await registerClient(s.a, 'Calendar');
    // Two approvals of the same client from two browsers: two provider grants, one app.
    const fromLaptop = await authorizeClient(s.a, printer, user, { browser: new Browser() });
    const fromPhone = await authorizeClient(s.a, printer, user, { browser: new Browser() });
    const calendar = await authorizeClient(s.a, other, user, { scope: 'openid profile:read' });
    const sockets = await Promise.all([socketWith(s.socketNode, { token: fromLaptop.access }), socketWith(s.socketNode, { token: fromPhone.access })]);
    const ended = sockets.map(endedBy);

    const account = await sessionLogin(s.a, user);
    const apps = await account.get('/api/oauth/apps');
    expect(apps.status).toBe(200);
    expect(apps.body.apps).toHaveLength(2);
    const entry = apps.body.apps.find((a: { clientId: string }) => a.clientId === printer.clientId);
    expect(entry).toMatchObject({ clientName: 'Photo Printer', grants: 2 });
    expect(entry.scopes).toEqual(expect.arrayContaining(['openid', 'offline_access', 'profile:read', 'messages:read']));

    expect((await account.delete(`/api/oauth/apps/${encodeURIComponent(printer.clientId)}`)).status).toBe(204);
    for (const reason of await Promise.all(ended)) expect(reason.error).toBe('GH_REALTIME_REVOKED');
    for (const node of [s.a, s.b]) {
      for (const tokens of [fromLaptop, fromPhone]) {
        expect((await new TestClient(node.url, { origin: null }).get('/api/resources/profile', bearer(tokens.access))).body.error).toBe('GH_TOKEN_REVOKED');
        const refreshed = await tokenEndpoint(node, printer, { grant_type: 'refresh_token', refresh_token: tokens.refresh });
        expect(refreshed.body.error).toBe('invalid_grant');
        expect(await handshakeRefused(node, { token: tokens.access })).not.toBe('accepted');
      }
    }
    // The other app is untouched, and the revoked one is gone from the list.
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/resources/profile', bearer(calendar.access))).status).toBe(200);
    const after = await account.get('/api/oauth/apps');
    expect(after.body.apps.map((a: { clientId: string }) => a.clientId)).toEqual([other.clientId]);
    // Revoking an app the user never allowed (or someone else's) is a clear 404.
    expect((await account.delete(`/api/oauth/apps/${encodeURIComponent(printer.clientId)}`)).body.error).toBe('GH_OAUTH_GRANT_NOT_FOUND');
  });

  it('revoking one provider grant closes the sockets its tokens opened', async () => {
    const user = await signUp(s.a, 'grant');
    const printer = await registerClient(s.a, 'Label Printer');
    const tokens = await authorizeClient(s.a, printer, user);
    const socket = await socketWith(s.socketNode, { token: tokens.access });
    const ended = endedBy(socket);
    const account = await sessionLogin(s.a, user);
    const grants = (await account.get('/api/oauth/grants')).body.grants as { id: string }[];
    expect(grants).toHaveLength(1);
    expect((await account.delete(`/api/oauth/grants/${encodeURIComponent(grants[0]!.id)}`)).status).toBe(204);
    expect((await ended).error).toBe('GH_REALTIME_REVOKED');
  });
});
