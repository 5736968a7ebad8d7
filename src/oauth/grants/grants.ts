import type { Kysely } from 'kysely';
import type { AdapterFactory } from 'oidc-provider';
import { GatehouseError, type Clock } from '../../core/index.js';
import type { Database } from '../../storage/index.js';
import { GRANTABLE_MODELS } from '../adapter/models.js';

/** What a user sees of one grant on their account page. */
export interface GrantView {
  id: string;
  clientId: string;
  clientName: string | null;
  /** OIDC scopes and API scopes the user allowed (unticked ones are not here). */
  scopes: string[];
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number | null;
}

export interface GrantManager {
  list(userId: string): Promise<GrantView[]>;
  /** Revokes the grant and every token issued under it; GH_OAUTH_GRANT_NOT_FOUND for someone else's. */
  revoke(userId: string, grantId: string): Promise<{ clientId: string }>;
  /** True while the grant exists and has not expired (the resource server asks on each request). */
  alive(grantId: string): Promise<boolean>;
}

interface GrantPayload {
  accountId?: string;
  clientId?: string;
  iat?: number;
  exp?: number;
  openid?: { scope?: string };
  resources?: Record<string, string>;
  rejected?: { openid?: { scope?: string }; resources?: Record<string, string> };
}

/** The user's side of OAuth grants ("apps with access to your account"), over the same adapter. */
export function createGrantManager(deps: { db: Kysely<Database>; adapter: AdapterFactory; clock: Clock }): GrantManager {
  const grants = deps.adapter('Grant');
  return {
    async list(userId) {
      const rows = await deps.db
        .selectFrom('oauth_models')
        .select(['id', 'payload', 'expires_at'])
        .where('model', '=', 'Grant')
        .where('account_id', '=', userId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', deps.clock.now())]))
        .execute();
      const clientNames = new Map<string, string | null>();
      const views: GrantView[] = [];
      for (const row of rows) {
        const payload = JSON.parse(row.payload) as GrantPayload;
        const clientId = payload.clientId ?? '';
        if (!clientNames.has(clientId)) {
          const client = (await deps.adapter('Client').find(clientId)) as { client_name?: string } | undefined;
          clientNames.set(clientId, client?.client_name ?? null);
        }
        views.push({
          id: row.id,
          clientId,
          clientName: clientNames.get(clientId) ?? null,
          scopes: grantedScopes(payload),
          createdAt: (payload.iat ?? 0) * 1000,
          expiresAt: row.expires_at,
        });
      }
      return views.sort((a, b) => b.createdAt - a.createdAt);
    },
    async revoke(userId, grantId) {
      const grant = (await grants.find(grantId)) as GrantPayload | undefined;
      if (!grant || grant.accountId !== userId) throw new GatehouseError('GH_OAUTH_GRANT_NOT_FOUND');
      await Promise.all([...GRANTABLE_MODELS].map((model) => deps.adapter(model).revokeByGrantId(grantId)));
      await grants.destroy(grantId);
      return { clientId: grant.clientId ?? '' };
    },
    async alive(grantId) {
      return (await grants.find(grantId)) !== undefined;
    },
  };
}

function grantedScopes(payload: GrantPayload): string[] {
  const out = new Set<string>();
  const split = (s?: string) => (s ?? '').split(' ').filter(Boolean);
  const rejected = new Set([...split(payload.rejected?.openid?.scope), ...Object.values(payload.rejected?.resources ?? {}).flatMap(split)]);
  for (const scope of split(payload.openid?.scope)) out.add(scope);
  for (const scopes of Object.values(payload.resources ?? {})) for (const scope of split(scopes)) out.add(scope);
  return [...out].filter((s) => !rejected.has(s));
}
