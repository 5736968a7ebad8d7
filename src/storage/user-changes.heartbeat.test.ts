// The PostgreSQL change feed on a server that stops answering without closing anything (SIGSTOP: a
// frozen host, a silent network): NOTIFYs stop arriving while the LISTEN socket stays open, so only the
// heartbeat can tell. On a private PostgreSQL, never the shared one.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivateStore } from '../../test/faults/support.js';
import { until } from '../../test/support/wait.js';
import { createDatabase, type DatabaseHandle } from './database.js';
import { createUserChangeFeed } from './user-changes.js';
import type { UserChangeFeed } from './user-changes.js';

describe('PostgreSQL change feed heartbeat', () => {
  let server: PrivateStore;
  let database: DatabaseHandle;
  let feed: UserChangeFeed;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    database = createDatabase({ databaseUrl: server.url, dataDir: tmpdir(), connectTimeoutMs: 2_000 });
    feed = createUserChangeFeed(database, { databaseUrl: server.url, applicationName: 'gatehouse-heartbeat-test' });
  }, 60_000);
  afterAll(async () => {
    server?.thaw();
    await feed?.close();
    await database?.close();
    await server?.stop();
  });

  it('stops vouching when the server goes silent with the connection still open, and vouches again when it answers', async () => {
    // The first ask opens the LISTEN connection.
    await until(() => feed.vouches(), 'the LISTEN connection up');
    server.freeze();
    try {
      await until(() => !feed.vouches(), 'the heartbeat noticing a silent server');
      // Not a lost connection: the socket is still open, only the answers stopped.
      expect(feed.live).toBe(true);
    } finally {
      server.thaw();
    }
    await until(() => feed.vouches(), 'vouching again once the server answers');
  });
});
