import type { KvTables } from './kv.js';
import type { IdentityTables } from './identity.js';
import type { SessionTables } from './sessions.js';
import type { OauthTables } from './oauth.js';
import type { FederationTables } from './federation.js';
import type { TokenTables } from './tokens.js';
import type { RealtimeTables } from './realtime.js';
import type { AccountTables } from './accounts.js';
import type { MfaTables } from './mfa.js';

/**
 * The database schema as Kysely sees it: one interface per area, merged here. Each area adds its
 * tables in schema/<area>.ts and a migration in migrations/. Conventions that hold on SQLite and
 * PostgreSQL alike: times are epoch milliseconds in BIGINT columns (read back as numbers), booleans
 * are 0/1 integers, structured values are JSON text.
 */
export interface Database extends KvTables, IdentityTables, SessionTables, OauthTables, FederationTables, TokenTables, RealtimeTables, AccountTables, MfaTables {}
