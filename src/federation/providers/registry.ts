import type { Kysely } from 'kysely';
import { GatehouseError, type Clock } from '../../core/index.js';
import type { Database } from '../../storage/index.js';
import { isProviderKind, PRESETS, type ProviderKind } from './presets.js';
import type { SecretBox } from './secret-box.js';

export interface ProviderInput {
  /** URL slug, e.g. "google" or "corp-sso". */
  id: string;
  kind: ProviderKind;
  /** Required for kind `oidc`; presets bring their own. */
  issuer?: string;
  clientId: string;
  clientSecret?: string;
  scope?: string;
  displayName?: string;
  /**
   * The operator trusts this provider's verified-email claims: a verified email it asserts may join an
   * existing account whose own address is verified. Off by default.
   */
  trustEmail?: boolean;
}

/** Where a provider was configured: with the CLI / admin API (the database), or in configuration. */
export type ProviderSource = 'store' | 'config';

export interface ProviderRecord {
  id: string;
  displayName: string;
  kind: ProviderKind;
  issuer: string | null;
  clientId: string;
  clientSecret: string | null;
  scope: string;
  trustEmail: boolean;
  source: ProviderSource;
  /** Epoch ms; null for a provider declared in configuration. */
  createdAt: number | null;
}

/** What anyone may see of a provider (the sign-in buttons). */
export interface ProviderView {
  id: string;
  displayName: string;
  kind: ProviderKind;
  issuer: string | null;
}

/** What an operator sees: everything but the client secret, of which only its presence shows. */
export interface ProviderAdminView extends ProviderView {
  clientId: string;
  hasClientSecret: boolean;
  scope: string;
  trustEmail: boolean;
  source: ProviderSource;
  createdAt: number | null;
}

export interface ProviderRegistry {
  add(input: ProviderInput): Promise<ProviderAdminView>;
  get(id: string): Promise<ProviderRecord | null>;
  list(): Promise<ProviderView[]>;
  listForAdmin(): Promise<ProviderAdminView[]>;
  /** GH_FEDERATION_PROVIDER_DECLARED for one declared in configuration, GH_OAUTH_PROVIDER_UNKNOWN if none. */
  remove(id: string): Promise<void>;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Checks an operator's input and fills in the preset's defaults; throws GH_OAUTH_PROVIDER_INVALID naming the field. */
export function normalizeProvider(input: ProviderInput, source: ProviderSource, createdAt: number | null): ProviderRecord {
  const invalid = (message: string) => new GatehouseError('GH_OAUTH_PROVIDER_INVALID', { message: `${input.id ? `Provider ${String(input.id).slice(0, 64)}: ` : ''}${message}` });
  if (!SLUG.test(input.id ?? '')) throw invalid('id must be a lower-case slug (a-z, 0-9, -).');
  if (!isProviderKind(input.kind)) throw invalid(`kind must be one of oidc, ${Object.keys(PRESETS).join(', ')}.`);
  if (!input.clientId) throw invalid('clientId is required.');
  const preset = input.kind === 'oidc' ? null : PRESETS[input.kind];
  let issuer = preset?.issuer ?? null;
  if (input.kind === 'oidc') {
    let url: URL;
    try {
      url = new URL(input.issuer ?? '');
    } catch {
      throw invalid('issuer must be an absolute URL (the OpenID Connect issuer, as in its discovery document).');
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw invalid('issuer must use https (http only on loopback).');
    issuer = input.issuer!;
  }
  return {
    id: input.id,
    displayName: input.displayName || preset?.displayName || input.id,
    kind: input.kind,
    issuer,
    clientId: input.clientId,
    clientSecret: input.clientSecret || null,
    scope: input.scope ?? preset?.scope ?? 'openid email profile',
    trustEmail: input.trustEmail === true,
    source,
    createdAt,
  };
}

export const publicView = (r: ProviderRecord): ProviderView => ({ id: r.id, displayName: r.displayName, kind: r.kind, issuer: r.issuer });

export const adminView = (r: ProviderRecord): ProviderAdminView => ({
  ...publicView(r),
  clientId: r.clientId,
  hasClientSecret: r.clientSecret !== null,
  scope: r.scope,
  trustEmail: r.trustEmail,
  source: r.source,
  createdAt: r.createdAt,
});

/**
 * Sign-in providers: those declared in configuration (file or environment, read-only here) and those
 * added with `gatehouse provider add` or the admin page (the database, client secret sealed). A
 * declared provider wins over a stored one of the same id.
 */
export function createProviderRegistry(deps: { db: Kysely<Database>; clock: Clock; box: SecretBox; declared?: readonly ProviderRecord[] }): ProviderRegistry {
  const declared = new Map((deps.declared ?? []).map((p) => [p.id, p]));
  type Row = Database['federation_providers'];
  const fromRow = (row: Row, withSecret: boolean): ProviderRecord => ({
    id: row.id,
    displayName: row.display_name,
    kind: row.kind as ProviderKind,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret: row.client_secret_sealed ? (withSecret ? deps.box.open(row.client_secret_sealed) : '') : null,
    scope: row.scope,
    trustEmail: Number(row.trust_email) === 1,
    source: 'store',
    createdAt: Number(row.created_at),
  });
  async function all(): Promise<ProviderRecord[]> {
    const rows = await deps.db.selectFrom('federation_providers').selectAll().orderBy('created_at').execute();
    return [...declared.values(), ...rows.filter((r) => !declared.has(r.id)).map((r) => fromRow(r, false))];
  }
  return {
    async add(input) {
      const record = normalizeProvider(input, 'store', deps.clock.now());
      if (declared.has(record.id)) throw new GatehouseError('GH_FEDERATION_PROVIDER_DECLARED');
      const row: Row = {
        id: record.id,
        display_name: record.displayName,
        kind: record.kind,
        issuer: record.issuer,
        client_id: record.clientId,
        client_secret_sealed: record.clientSecret ? deps.box.seal(record.clientSecret) : null,
        scope: record.scope,
        trust_email: record.trustEmail ? 1 : 0,
        created_at: record.createdAt!,
      };
      try {
        await deps.db.insertInto('federation_providers').values(row).execute();
      } catch (cause) {
        throw new GatehouseError('GH_OAUTH_PROVIDER_INVALID', { message: `A provider with id ${record.id} already exists.`, cause });
      }
      return adminView(record);
    },
    async get(id) {
      const fromConfig = declared.get(id);
      if (fromConfig) return fromConfig;
      const row = await deps.db.selectFrom('federation_providers').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row, true) : null;
    },
    async list() {
      return (await all()).map(publicView);
    },
    async listForAdmin() {
      return (await all()).map(adminView);
    },
    async remove(id) {
      if (declared.has(id)) throw new GatehouseError('GH_FEDERATION_PROVIDER_DECLARED');
      const result = await deps.db.deleteFrom('federation_providers').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new GatehouseError('GH_OAUTH_PROVIDER_UNKNOWN');
    },
  };
}
