// Client rows remembered per node on embedded SQLite: a rotated secret or a deleted client must stop
// working at once when this node's connection wrote it, and from the next loop turn when another did.
// A write on a second connection in the same turn is how the tests see that an answer came from memory.
import { sql } from 'kysely';
import type { Adapter } from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/index.js';
import { createUserChangeFeed, type DatabaseHandle } from '../../storage/index.js';
import { createSqliteTwins } from '../../../test/support/services.js';
import { createOidcAdapterFactory } from './factory.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const client = (id: string, secret: string) => ({ client_id: id, client_secret: secret, redirect_uris: ['https://rp.example/cb'] });

describe('the client row cache (SQLite)', () => {
  let node: DatabaseHandle;
  let other: DatabaseHandle;
  let dispose: () => Promise<void>;
  let clients: Adapter;
  let tokens: Adapter;

  beforeEach(async () => {
    ({ node, other, dispose } = await createSqliteTwins());
    const clock = createManualClock();
    const factory = createOidcAdapterFactory({ db: node.db, clock, changes: createUserChangeFeed(node) });
    clients = factory('Client');
    tokens = factory('ClientCredentials');
  });
  afterEach(() => dispose());

  const secretOf = async (id: string) => ((await clients.find(id)) as { client_secret?: string } | undefined)?.client_secret;
  const rotateOn = (db: DatabaseHandle, id: string, secret: string) =>
    sql`update oauth_models set payload = ${JSON.stringify(client(id, secret))} where model = 'Client' and id = ${id}`.execute(db.db);

  it("answers from memory: another connection's change is seen from the next turn", async () => {
    await clients.upsert('c1', client('c1', 'first'), undefined);
    expect(await secretOf('c1')).toBe('first');
    await rotateOn(other, 'c1', 'second');
    expect(await secretOf('c1')).toBe('first');
    await nextTurn();
    expect(await secretOf('c1')).toBe('second');
  });

  it("sees a rotation or a deletion on the node's own connection at once (the admin API writes there)", async () => {
    await clients.upsert('c2', client('c2', 'first'), undefined);
    expect(await secretOf('c2')).toBe('first');
    await rotateOn(node, 'c2', 'rotated');
    expect(await secretOf('c2')).toBe('rotated');
    await sql`delete from oauth_models where model = 'Client' and id = 'c2'`.execute(node.db);
    expect(await clients.find('c2')).toBeUndefined();
  });

  it('sees writes through the adapter at once', async () => {
    await clients.upsert('c3', client('c3', 'first'), undefined);
    expect(await secretOf('c3')).toBe('first');
    await clients.upsert('c3', client('c3', 'second'), undefined);
    expect(await secretOf('c3')).toBe('second');
    await clients.destroy('c3');
    expect(await clients.find('c3')).toBeUndefined();
  });

  it('remembers only client rows without an expiry, and no other model', async () => {
    await clients.upsert('c4', client('c4', 'first'), 3600);
    expect(await secretOf('c4')).toBe('first');
    await rotateOn(other, 'c4', 'second');
    expect(await secretOf('c4')).toBe('second');
    await tokens.upsert('t1', { jti: 't1', kind: 'ClientCredentials', clientId: 'c1' }, undefined);
    expect(await tokens.find('t1')).toMatchObject({ clientId: 'c1' });
    await sql`delete from oauth_models where id = 't1'`.execute(other.db);
    expect(await tokens.find('t1')).toBeUndefined();
  });
});
