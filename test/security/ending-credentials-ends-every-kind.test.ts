// Properties: "log out everywhere" ends every credential of every kind, and a password change does the
// same except for the caller's current credential. The attack: an attacker holds one credential of
// each kind (stolen cookie, session, JWT pair, an OAuth client's tokens, the provider's browser session,
// live sockets); the user ends their credentials; the attacker tries each on every node kind — HTTP
// route, token endpoint, provider authorize, socket.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestNode } from '../support/app.js';
import { TestClient } from '../support/client.js';
import type { ChatClient } from '../support/realtime.js';
import {
  BACKENDS,
  SEALED,
  SID,
  authorizeClient,
  bearer,
  cookieLogin,
  endedBy,
  handshakeRefused,
  interactiveAuthorize,
  jwtLogin,
  jwtRefresh,
  registerClient,
  sessionLogin,
  signUp,
  silentAuthorize,
  socketWith,
  startSecurityStack,
  tokenEndpoint,
  type JwtPair,
  type OauthTokens,
  type Person,
  type SecurityStack,
  type ThirdPartyClient,
} from './support.js';

// Each case walks a whole attack across real nodes; a loaded machine may need more than the default.
vi.setConfig({ testTimeout: 180_000 });

interface Stolen {
  cookie: string;
  session: string;
  jwt: JwtPair;
  oauth: OauthTokens;
  sockets: ChatClient[];
}

describe.each(BACKENDS)('ending credentials ends every kind ($label)', (backend) => {
  let s: SecurityStack;
  let client: ThirdPartyClient;
  const open: ChatClient[] = [];
  beforeAll(async () => {
    s = await startSecurityStack(backend);
    client = await registerClient(s.a);
  }, 120_000);
  afterAll(async () => {
    for (const socket of open) socket.disconnect();
    await s?.dispose();
  });

  /** One credential of every kind, and a socket opened with each (on node b when Redis links the nodes). */
  async function steal(who: Person): Promise<Stolen> {
    const cookie = (await cookieLogin(s.a, who)).cookies.get(SEALED)!;
    const session = (await sessionLogin(s.a, who)).cookies.get(SID)!;
    const jwt = await jwtLogin(s.a, who);
    const oauth = await authorizeClient(s.a, client, who);
    const sockets = await Promise.all([
      socketWith(s.socketNode, { cookie: `${SEALED}=${cookie}` }),
      socketWith(s.socketNode, { cookie: `${SID}=${session}` }),
      socketWith(s.socketNode, { token: jwt.access }),
      socketWith(s.socketNode, { token: oauth.access }),
    ]);
    open.push(...sockets);
    // Before: every one of them works, the provider session included.
    expect((await silentAuthorize(s.a, client, oauth.browser)).code).toEqual(expect.any(String));
    return { cookie, session, jwt, oauth, sockets };
  }

  async function expectAllDead(stolen: Stolen, nodes: TestNode[]) {
    for (const node of nodes) {
      const api = new TestClient(node.url, { origin: null });
      expect((await api.get('/api/me', { cookie: `${SEALED}=${stolen.cookie}` })).status).toBe(401);
      expect((await api.get('/api/me', { cookie: `${SID}=${stolen.session}` })).status).toBe(401);
      expect((await api.get('/api/me', bearer(stolen.jwt.access))).status).toBe(401);
      expect((await api.get('/api/resources/profile', bearer(stolen.oauth.access))).status).toBe(401);
      // Token endpoints: neither refresh token mints anything.
      expect((await jwtRefresh(node, stolen.jwt.refresh)).status).toBe(401);
      const oauthRefresh = await tokenEndpoint(node, client, { grant_type: 'refresh_token', refresh_token: stolen.oauth.refresh });
      expect(oauthRefresh.status).toBe(400);
      expect(oauthRefresh.body.error).toBe('invalid_grant');
      // Sockets: a new handshake with any of them is refused.
      for (const credential of [{ cookie: `${SEALED}=${stolen.cookie}` }, { cookie: `${SID}=${stolen.session}` }, { token: stolen.jwt.access }, { token: stolen.oauth.access }]) {
        expect(await handshakeRefused(node, credential)).not.toBe('accepted');
      }
    }
    // Provider authorize: the provider's browser session mints no code without the password.
    expect(await silentAuthorize(s.a, client, stolen.oauth.browser)).toEqual({ code: null, error: 'login_required' });
    expect(await interactiveAuthorize(s.a, client, stolen.oauth.browser)).toEqual({ askedForPassword: true, code: null });
  }

  it('"log out everywhere" ends sealed cookies, sessions, JWT families and access tokens, OAuth tokens of every client, the provider session and live sockets', async () => {
    const victim = await signUp(s.a, 'everywhere');
    const stolen = await steal(victim);
    const ended = stolen.sockets.map(endedBy);

    const user = await sessionLogin(s.a, victim, 'Victim Browser');
    expect((await user.post('/api/auth/logout-everywhere', {})).status).toBe(204);

    for (const reason of await Promise.all(ended)) expect(reason.error).toBe('GH_REALTIME_REVOKED');
    await expectAllDead(stolen, [s.a, s.b]);
    expect((await user.get('/api/me')).status).toBe(401);
  });

  it('a password change ends every credential but the caller’s own, and the provider asks for the new password', async () => {
    const victim = await signUp(s.a, 'password');
    const stolen = await steal(victim);
    const ended = stolen.sockets.map(endedBy);

    const caller = await jwtLogin(s.a, victim, 'Victim Phone');
    const callerSocket = await socketWith(s.socketNode, { token: caller.access });
    open.push(callerSocket);
    const newPassword = `${victim.password} renewed`;
    const change = await new TestClient(s.a.url, { origin: null }).post('/api/auth/password', { currentPassword: victim.password, newPassword }, bearer(caller.access));
    expect(change.status).toBe(204);

    for (const reason of await Promise.all(ended)) expect(reason.error).toBe('GH_REALTIME_REVOKED');
    await expectAllDead(stolen, [s.a, s.b]);

    // The caller's own sign-in lives on: its access token, its refresh token, its socket.
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/me', bearer(caller.access))).status).toBe(200);
    expect((await jwtRefresh(s.b, caller.refresh)).status).toBe(200);
    expect(callerSocket.connected).toBe(true);

    // The provider session comes back only through a login with the new password.
    const again = await authorizeClient(s.a, client, { ...victim, password: newPassword }, { browser: stolen.oauth.browser });
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/resources/profile', bearer(again.access))).status).toBe(200);
    expect((await silentAuthorize(s.a, client, stolen.oauth.browser)).code).toEqual(expect.any(String));
  });
});
