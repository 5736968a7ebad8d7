// Child process of bench/oauth.ts: one oidc-provider configured exactly as gatehouse serves it, on a
// plain node:http server, with the storage adapter named on the command line:
//   memory  oidc-provider's in-memory development adapter (the ceiling)
//   sql     a serve node's authorization server (SQLite for every model and the key-value store)
//   redis   the same with Redis: durable models in SQL, short-lived ones and the key-value store in Redis
// It pre-mints the authorization codes and refresh tokens asked for (argv 3 and 4) through the
// provider's own models, then prints one JSON line with the port, client credentials and the pools.
import { createServer } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Adapter } from 'oidc-provider';
import { createHash } from 'node:crypto';
import { cryptoIds, loadConfig, silentLogger, systemClock } from '../src/core/index.js';
import { createContext } from '../src/http/context.js';
import { createIdentity, type User } from '../src/identity/index.js';
import { createAuthorizationServer, createClientManager, throttledClientSecretCheck, type AuthorizationServer } from '../src/oauth/index.js';
import { createDatabase, createMemoryKeyValueStore, migrateToLatest, type Database } from '../src/storage/index.js';
import { createKeystore } from '../src/tokens/index.js';

const variant = (process.argv[2] ?? 'sql') as 'memory' | 'sql' | 'redis';
const codeCount = Number(process.argv[3] ?? 400);
const refreshCount = Number(process.argv[4] ?? codeCount);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIRECT = 'https://rp.example/cb';
const VERIFIER = 'bench-verifier-'.padEnd(64, 'x');
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

const dataDir = await mkdtemp(join(tmpdir(), `gh-bench-oauth-${variant}-`));
const listener = createServer();
await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
const port = (listener.address() as { port: number }).port;
const origin = `http://127.0.0.1:${port}`;
const benchUser = { id: 'bench-user', email: 'bench@example.com', name: 'Bench', roles: [], credentialVersion: 1, createdAt: 0, updatedAt: 0, emailVerifiedAt: null, emailVerifiedVia: null, disabledAt: null };

/**
 * The SQL and Redis rows are the authorization server of a `serve` node, built by the node's own
 * composition root (createContext: its database options, its key-value store, the client-secret throttle
 * it wires in, housekeeping running). The ceiling is the same provider configuration with
 * oidc-provider's in-memory adapter and the same throttle over an in-memory key-value store: only where
 * things are stored differs.
 */
async function build(): Promise<{ server: AuthorizationServer; db: Kysely<Database>; user: User; close(): Promise<void> }> {
  if (variant !== 'memory') {
    const storage = variant === 'redis' ? { redisUrl: REDIS_URL, keyPrefix: `ghbench:${process.pid}:` } : {};
    const context = await createContext({ config: { server: { dataDir, publicUrl: origin }, storage }, env: {} });
    // The account the code and refresh grants name, read back through the node's own user lookup.
    const user = await context.identity.signup({ email: benchUser.email, password: cryptoIds.token(24), name: benchUser.name });
    return { server: context.oauth.server, db: context.database.db, user, close: () => context.close() };
  }
  const { config } = loadConfig({ server: { dataDir, publicUrl: origin } });
  const database = createDatabase({ dataDir });
  await migrateToLatest(database.db);
  const secret = cryptoIds.token(32);
  const keystore = await createKeystore({ db: database.db, secret, clock: systemClock, ids: cryptoIds, config });
  const kv = createMemoryKeyValueStore(systemClock);
  const identity = createIdentity({ db: database.db, kv, clock: systemClock, ids: cryptoIds, config, logger: silentLogger() });
  const server = createAuthorizationServer({
    config,
    origin,
    secret,
    db: database.db,
    redis: null,
    clock: systemClock,
    logger: silentLogger(),
    keys: keystore,
    getUser: async (id) => (id === benchUser.id ? benchUser : null),
    kv,
    adapter: 'memory',
    checkClientSecret: throttledClientSecretCheck(identity),
  });
  return {
    server,
    db: database.db,
    user: benchUser,
    close: async () => {
      keystore.close();
      await database.close();
    },
  };
}

const { server, db, user, close } = await build();
listener.on('request', (req, res) => {
  server.handle(req, res, { protocol: 'http', host: `127.0.0.1:${port}`, ip: req.socket.remoteAddress ?? '127.0.0.1' }).catch(() => {
    res.statusCode = 500;
    res.end();
  });
});

const provider = await server.getProvider();
// The client goes through the provider's own Client adapter, so the memory variant has it too.
const metadata = (await createClientManager({ db, ids: cryptoIds, clock: systemClock }).create({ name: 'bench', redirectUris: [REDIRECT], type: 'confidential' })) as {
  client_id: string;
  client_secret: string;
};
const stored = await db.selectFrom('oauth_models').select('payload').where('id', '=', metadata.client_id).executeTakeFirstOrThrow();
await (provider.Client as unknown as { adapter: Adapter }).adapter.upsert(metadata.client_id, JSON.parse(stored.payload) as never);
const client = await provider.Client.find(metadata.client_id);
if (!client) throw new Error('bench client not found');

const grant = new provider.Grant({ accountId: user.id, clientId: client.clientId });
grant.addOIDCScope('openid offline_access');
const grantId = await grant.save();
const codes: string[] = [];
const refreshTokens: string[] = [];
for (let i = 0; i < codeCount; i++) {
  codes.push(
    await new provider.AuthorizationCode({ client, accountId: user.id, grantId, scope: 'openid offline_access', redirectUri: REDIRECT, codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' } as never).save(),
  );
}
for (let i = 0; i < refreshCount; i++) {
  refreshTokens.push(await new provider.RefreshToken({ client, accountId: user.id, grantId, scope: 'openid offline_access', gty: 'authorization_code' }).save());
}
const introspected = await new provider.ClientCredentials({ client, scope: '' }).save();

console.log(JSON.stringify({ port, clientId: metadata.client_id, clientSecret: metadata.client_secret, redirectUri: REDIRECT, verifier: VERIFIER, codes, refreshTokens, introspected }));
process.on('SIGTERM', () => {
  listener.close();
  void close().finally(() => process.exit(0));
});
