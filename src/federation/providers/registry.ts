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
}

export interface ProviderRecord {
  id: string;
  displayName: string;
  kind: ProviderKind;
  issuer: string | null;
  clientId: string;
  clientSecret: string | null;
  scope: string;
  createdAt: number;
}

/** What anyone may see of a provider (the sign-in buttons). */
export interface ProviderView {
  id: string;
  displayName: string;
  kind: ProviderKind;
  issuer: string | null;
}

export interface ProviderRegistry {
  add(input: ProviderInput): Promise<ProviderView>;
  get(id: string): Promise<ProviderRecord | null>;
  list(): Promise<ProviderView[]>;
  remove(id: string): Promise<void>;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function createProviderRegistry(deps: { db: Kysely<Database>; clock: Clock; box: SecretBox }): ProviderRegistry {
  const view = (r: ProviderRecord): ProviderView => ({ id: r.id, displayName: r.displayName, kind: r.kind, issuer: r.issuer });
  return {
    async add(input) {
      const invalid = (message: string) => new GatehouseError('GH_OAUTH_PROVIDER_INVALID', { message });
      if (!SLUG.test(input.id ?? '')) throw invalid('id must be a lower-case slug (a-z, 0-9, -).');
      if (!isProviderKind(input.kind)) throw invalid(`kind must be one of oidc, ${Object.keys(PRESETS).join(', ')}.`);
      if (!input.clientId) throw invalid('clientId is required.');
      const preset = input.kind === 'oidc' ? null : PRESETS[input.kind];
      const issuer = input.kind === 'oidc' ? input.issuer : preset?.issuer;
      if (input.kind === 'oidc') {
        let url: URL;
        try {
          url = new URL(input.issuer ?? '');
        } catch {
          throw invalid('issuer must be an absolute URL.');
        }
        const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
        if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw invalid('issuer must use https (http only on loopback).');
      }
      const row = {
        id: input.id,
        display_name: input.displayName ?? preset?.displayName ?? input.id,
        kind: input.kind,
        issuer: issuer ?? null,
        client_id: input.clientId,
        client_secret_sealed: input.clientSecret ? deps.box.seal(input.clientSecret) : null,
        scope: input.scope ?? preset?.scope ?? 'openid email profile',
        created_at: deps.clock.now(),
      };
      try {
        await deps.db.insertInto('federation_providers').values(row).execute();
      } catch (cause) {
        throw new GatehouseError('GH_OAUTH_PROVIDER_INVALID', { message: `A provider with id ${input.id} already exists.`, cause });
      }
      return { id: row.id, displayName: row.display_name, kind: input.kind, issuer: row.issuer };
    },
    async get(id) {
      const row = await deps.db.selectFrom('federation_providers').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      return {
        id: row.id,
        displayName: row.display_name,
        kind: row.kind as ProviderKind,
        issuer: row.issuer,
        clientId: row.client_id,
        clientSecret: row.client_secret_sealed ? deps.box.open(row.client_secret_sealed) : null,
        scope: row.scope,
        createdAt: row.created_at,
      };
    },
    async list() {
      const rows = await deps.db.selectFrom('federation_providers').selectAll().orderBy('created_at').execute();
      return rows.map((row) => view({ id: row.id, displayName: row.display_name, kind: row.kind as ProviderKind, issuer: row.issuer, clientId: '', clientSecret: null, scope: '', createdAt: 0 }));
    },
    async remove(id) {
      const result = await deps.db.deleteFrom('federation_providers').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new GatehouseError('GH_OAUTH_PROVIDER_UNKNOWN');
    },
  };
}
