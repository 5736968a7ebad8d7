// Property: each node keeps the users it has just checked in memory, and that memory is never the
// reason a credential passes. The attack: a victim's session and sealed cookie are held by an attacker
// and have just been served from node b's cache; the victim (or an operator) then changes the account
// — on node a, through a separate database connection, or with the `gatehouse user` CLI in its own
// process — and the attacker's next request on node b must see the change. On PostgreSQL a change
// reaches b as a NOTIFY, so the test waits for b to have heard it (SQLite has nothing to wait for: the
// next request itself checks data_version); with b's LISTEN connection killed, b reads the store.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/core/index.js';
import { createDatabase, type DatabaseHandle } from '../../src/storage/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { runCliOrThrow, standaloneEnv } from '../support/cli.js';
import { TestClient } from '../support/client.js';
import { BACKENDS, SEALED, SID, cookieLogin, sessionLogin, signUp, startSecurityStack, type Person, type SecurityStack } from './support.js';

vi.setConfig({ testTimeout: 180_000 });

const cacheOf = (node: TestNode) => node.node.ctx.identity.userCache;
const me = (node: TestNode, cookie: string) => new TestClient(node.url, { origin: null }).get('/api/me', { cookie });

/** Resolves once `node`'s cache is (or is not) vouched for: on PostgreSQL, once its LISTEN connection is up (or down). */
function live(node: TestNode, want: boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    if (cacheOf(node).status().live === want) resolve();
    cacheOf(node).onLive((now) => now === want && resolve());
  });
}

/** Resolves once `node` has dropped `userId` (or everything) from its cache. */
function dropped(node: TestNode, userId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = cacheOf(node).onInvalidate((id) => {
      if (id === userId || id === null) {
        off();
        resolve();
      }
    });
  });
}

describe.each(BACKENDS)('a cached user is never served stale ($label)', (backend) => {
  let s: SecurityStack;
  /** Another connection to the same store: an operator's SQL, or any writer that is not this node. */
  let writer: DatabaseHandle;
  beforeAll(async () => {
    s = await startSecurityStack(backend);
    writer = createDatabase({ databaseUrl: s.stack.databaseUrl, dataDir: s.stack.dataDir });
  }, 120_000);
  afterAll(async () => {
    await writer?.close();
    await s?.dispose();
  });

  /** The victim's session and sealed cookie, each answered from node b's memory at least once. */
  async function heldOnB(label: string): Promise<{ who: Person; session: string; cookie: string }> {
    const who = await signUp(s.a, label);
    const session = `${SID}=${(await sessionLogin(s.a, who)).cookies.get(SID)!}`;
    const cookie = `${SEALED}=${(await cookieLogin(s.a, who)).cookies.get(SEALED)!}`;
    // The first request opens b's LISTEN connection on PostgreSQL (and is answered from the store).
    expect((await me(s.b, session)).status).toBe(200);
    await live(s.b, true);
    const hits = cacheOf(s.b).status().hits;
    for (const credential of [session, cookie, session, cookie]) expect((await me(s.b, credential)).status).toBe(200);
    // Without this the file would prove nothing: b really serves this user from memory.
    expect(cacheOf(s.b).status().hits).toBeGreaterThanOrEqual(hits + 2);
    return { who, session, cookie };
  }

  /** Runs `change` and resolves once node b may be asked: at once on SQLite, after b heard the NOTIFY on PostgreSQL. */
  async function changed(userId: string, change: () => Promise<unknown>): Promise<void> {
    const heard = backend.dialect === 'postgres' ? dropped(s.b, userId) : Promise.resolve();
    await change();
    await heard;
  }

  const setColumn = (id: string, values: { disabled_at?: number; roles?: string; email?: string }) =>
    writer.db.updateTable('users').set(values).where('id', '=', id).execute();

  it('a password change on node a: the sealed cookie is refused on node b', async () => {
    const v = await heldOnB('password');
    const owner = await sessionLogin(s.a, v.who, 'Owner Browser');
    await changed(v.who.id, async () => {
      expect((await owner.post('/api/auth/password', { currentPassword: v.who.password, newPassword: `${v.who.password} renewed` })).status).toBe(204);
    });
    expect((await me(s.b, v.cookie)).body.error).toBe('GH_AUTH_CREDENTIAL_REVOKED');
    expect((await me(s.b, v.session)).status).toBe(401);
  });

  it('"log out everywhere" on node a: both are refused on node b', async () => {
    const v = await heldOnB('everywhere');
    const owner = await sessionLogin(s.a, v.who, 'Owner Browser');
    await changed(v.who.id, async () => expect((await owner.post('/api/auth/logout-everywhere', {})).status).toBe(204));
    expect((await me(s.b, v.cookie)).body.error).toBe('GH_AUTH_CREDENTIAL_REVOKED');
    expect((await me(s.b, v.session)).status).toBe(401);
  });

  it('a bare credential-version bump from another connection: the sealed cookie is refused on node b', async () => {
    const v = await heldOnB('bump');
    await changed(v.who.id, () =>
      writer.db.updateTable('users').set((eb) => ({ credential_version: eb('credential_version', '+', 1) })).where('id', '=', v.who.id).execute(),
    );
    expect((await me(s.b, v.cookie)).body.error).toBe('GH_AUTH_CREDENTIAL_REVOKED');
  });

  it('a disable written by another connection (nothing else ended): session and cookie are refused on node b', async () => {
    const v = await heldOnB('disable');
    await changed(v.who.id, () => setColumn(v.who.id, { disabled_at: Date.now() }));
    for (const credential of [v.session, v.cookie]) {
      const res = await me(s.b, credential);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    }
  });

  it('`gatehouse user disable` in its own process: the sealed cookie is refused on node b', async () => {
    const v = await heldOnB('cli-disable');
    await changed(v.who.id, () =>
      runCliOrThrow(['user', 'disable', v.who.email, '--data-dir', s.stack.dataDir], {
        env: standaloneEnv({ GATEHOUSE_SECRET: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz', ...(s.stack.databaseUrl ? { DATABASE_URL: s.stack.databaseUrl } : {}) }),
      }),
    );
    expect((await me(s.b, v.cookie)).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
  });

  it('a role change and an email change from another connection show on node b at once', async () => {
    const v = await heldOnB('profile');
    await changed(v.who.id, () => setColumn(v.who.id, { roles: JSON.stringify(['user', 'auditor']) }));
    expect((await me(s.b, v.session)).body.user.roles).toEqual(['user', 'auditor']);
    expect((await me(s.b, v.cookie)).body.user.roles).toEqual(['user', 'auditor']);
    const email = `moved-${v.who.email}`;
    await changed(v.who.id, () => setColumn(v.who.id, { email }));
    expect((await me(s.b, v.session)).body.user.email).toBe(email);
    expect((await me(s.b, v.cookie)).body.user.email).toBe(email);
  });

  it('an operator reset of the second factors on node a: the sealed cookie is refused on node b', async () => {
    const v = await heldOnB('factors');
    await changed(v.who.id, () => s.a.node.ctx.userAdmin.resetSecondFactors(v.who.id, { id: null, via: 'cli' }));
    expect((await me(s.b, v.cookie)).body.error).toBe('GH_AUTH_CREDENTIAL_REVOKED');
  });

  it('an account deleted on node a: both are refused on node b', async () => {
    const v = await heldOnB('delete');
    const owner = await sessionLogin(s.a, v.who, 'Owner Browser');
    await changed(v.who.id, async () => expect((await owner.post('/api/account/delete', { currentPassword: v.who.password })).status).toBe(204));
    expect((await me(s.b, v.cookie)).body.error).toBe('GH_AUTH_COOKIE_INVALID');
    expect((await me(s.b, v.session)).status).toBe(401);
  });

  it('a write made through the node’s own connection, by code that skipped the repository, is seen by that node', async () => {
    const v = await heldOnB('own-connection');
    // b's own handle: no other connection committed, so only the node's own write reporting can drop it.
    const heard = dropped(s.b, v.who.id);
    await s.b.node.ctx.database.db.updateTable('users').set({ disabled_at: Date.now() }).where('id', '=', v.who.id).execute();
    await heard;
    expect((await me(s.b, v.cookie)).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
  });
});

describe('PostgreSQL: without its LISTEN connection a node reads the store', () => {
  const clock = createManualClock(Date.now());
  let stack: TestStack;
  let node: TestNode;
  let writer: DatabaseHandle;
  beforeAll(async () => {
    stack = await createTestStack({ dialect: 'postgres', clock, config: { passwords: { memoryCostKiB: 1024, timeCost: 1 } } });
    node = await stack.startNode();
    writer = createDatabase({ databaseUrl: stack.databaseUrl, dataDir: stack.dataDir });
  }, 120_000);
  afterAll(async () => {
    await writer?.close();
    await stack?.dispose();
  });

  it('a change made while the node is not listening is never hidden by its cache, before or after it listens again', async () => {
    const who = await signUp(node, 'listen');
    const session = `${SID}=${(await sessionLogin(node, who)).cookies.get(SID)!}`;
    // The first request opens the LISTEN connection (and is answered from the store meanwhile).
    expect((await me(node, session)).status).toBe(200);
    await live(node, true);
    expect((await me(node, session)).status).toBe(200);
    const hits = cacheOf(node).status().hits;
    expect((await me(node, session)).status).toBe(200);
    expect(cacheOf(node).status().hits).toBe(hits + 1);

    // The database ends the node's LISTEN session; a change committed now notifies nobody.
    const down = live(node, false);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${'gatehouse-user-changes-test-1'} and datname = current_database()`.execute(writer.db);
    await down;
    await writer.db.updateTable('users').set({ disabled_at: Date.now() }).where('id', '=', who.id).execute();
    expect((await me(node, session)).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    expect(cacheOf(node).status().hits).toBe(hits + 1);

    // Listening again (the retry is timed by the node's clock): the change is still seen, and the cache serves again.
    const up = live(node, true);
    clock.advance(100);
    await up;
    expect((await me(node, session)).body.error).toBe('GH_AUTH_ACCOUNT_DISABLED');
    const enabled = dropped(node, who.id);
    await writer.db.updateTable('users').set({ disabled_at: null }).where('id', '=', who.id).execute();
    await enabled;
    expect((await me(node, session)).status).toBe(200);
    expect((await me(node, session)).status).toBe(200);
    expect(cacheOf(node).status().hits).toBe(hits + 2);
  });
});
