import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { GatehouseError } from '../../core/index.js';
import * as kv from './0000-kv.js';
import * as identity from './0100-identity.js';
import * as accountState from './0110-account-state.js';
import * as mfa from './0120-mfa.js';
import * as passkeys from './0130-passkeys.js';
import * as accountMail from './0150-account-mail.js';
import * as userChangeNotify from './0160-user-change-notify.js';
import * as sessions from './0200-sessions.js';
import * as tokens from './0300-tokens.js';
import * as tokenKeyLanes from './0310-token-key-lanes.js';
import * as oauth from './0400-oauth.js';
import * as oauthPartialIndexes from './0410-oauth-partial-indexes.js';
import * as federation from './0500-federation.js';
import * as federationTrustEmail from './0510-federation-trust-email.js';
import * as realtime from './0600-realtime-messages.js';
import * as realtimeMessagesTs from './0610-realtime-messages-ts.js';

/**
 * Every migration, in order. Names sort: `NNNN-area`. Areas own number ranges so they never collide:
 * 0000 storage, 0100 identity, 0200 sessions, 0300 tokens, 0400 oauth, 0500 federation, 0600 realtime.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0000-kv': kv,
  '0100-identity': identity,
  '0110-account-state': accountState,
  '0120-mfa': mfa,
  '0130-passkeys': passkeys,
  '0150-account-mail': accountMail,
  '0160-user-change-notify': userChangeNotify,
  '0200-sessions': sessions,
  '0300-tokens': tokens,
  '0310-token-key-lanes': tokenKeyLanes,
  '0400-oauth': oauth,
  '0410-oauth-partial-indexes': oauthPartialIndexes,
  '0500-federation': federation,
  '0510-federation-trust-email': federationTrustEmail,
  '0600-realtime-messages': realtime,
  '0610-realtime-messages-ts': realtimeMessagesTs,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema to the latest version; run on every start (idempotent, locked by Kysely). */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  // Areas own number ranges, so a newer migration of one area can sort before an older one of another:
  // run any that are missing, in name order, instead of refusing (Kysely's default).
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider,
    migrationTableName: 'gh_migrations',
    migrationLockTableName: 'gh_migrations_lock',
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new GatehouseError('GH_STORAGE_MIGRATION_FAILED', {
      message: `Database migrations failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
