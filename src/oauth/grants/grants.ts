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

/**
 * One app the user allowed: every grant of one client folded together (a client gets a new grant per
 * browser session it was approved in, but the user approved one app).
 */
export interface AppView {
  clientId: string;
  clientName: string | null;
  /** Every scope any of the client's grants holds. */
  scopes: string[];
  /** Epoch ms of the first and the latest approval. */
  firstGrantedAt: number;
  lastGrantedAt: number;
  grants: number;
}

export interface GrantManager {
  list(userId: string): Promise<GrantView[]>;
  /** The user's apps: one entry per client, newest approval first. */
  listApps(userId: string): Promise<AppView[]>;
  /**
   * Ends the app for the user: every grant of the client, with every code, access token and refresh
   * token issued under them. Returns the grant ids ended; GH_OAUTH_GRANT_NOT_FOUND when there were none.
   */
  revokeApp(userId: string, clientId: string): Promise<string[]>;
  /** Ends every grant of the user (all clients) but `exceptGrantId`; returns the grant ids ended. */
  revokeUser(userId: string, exceptGrantId?: string | null): Promise<string[]>;
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
  const endGrant = async (grantId: string) => {
    await Promise.all([...GRANTABLE_MODELS].map((model) => deps.adapter(model).revokeByGrantId(grantId)));
    await grants.destroy(grantId);
  };
  const list = async (userId: string): Promise<GrantView[]> => {
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
  };
  // Every grant row of the user, expired ones included: an expired grant's tokens are ended as well.
  const allGrantsOf = async (userId: string): Promise<{ id: string; clientId: string }[]> => {
    const rows = await deps.db.selectFrom('oauth_models').select(['id', 'payload']).where('model', '=', 'Grant').where('account_id', '=', userId).execute();
    return rows.map((row) => ({ id: row.id, clientId: (JSON.parse(row.payload) as GrantPayload).clientId ?? '' }));
  };
  return {
    list,
    async listApps(userId) {
      const apps = new Map<string, AppView>();
      for (const grant of await list(userId)) {
        const app = apps.get(grant.clientId);
        if (!app) {
          apps.set(grant.clientId, {
            clientId: grant.clientId,
            clientName: grant.clientName,
            scopes: [...grant.scopes],
            firstGrantedAt: grant.createdAt,
            lastGrantedAt: grant.createdAt,
            grants: 1,
          });
          continue;
        }
        app.scopes = [...new Set([...app.scopes, ...grant.scopes])];
        app.firstGrantedAt = Math.min(app.firstGrantedAt, grant.createdAt);
        app.lastGrantedAt = Math.max(app.lastGrantedAt, grant.createdAt);
        app.grants += 1;
      }
      return [...apps.values()].sort((a, b) => b.lastGrantedAt - a.lastGrantedAt);
    },
    async revokeApp(userId, clientId) {
      const ids = (await allGrantsOf(userId)).filter((g) => g.clientId === clientId).map((g) => g.id);
      if (ids.length === 0) throw new GatehouseError('GH_OAUTH_GRANT_NOT_FOUND');
      for (const id of ids) await endGrant(id);
      return ids;
    },
    async revokeUser(userId, exceptGrantId = null) {
      const ids = (await allGrantsOf(userId)).map((g) => g.id).filter((id) => id !== exceptGrantId);
      for (const id of ids) await endGrant(id);
      return ids;
    },
    async revoke(userId, grantId) {
      const grant = (await grants.find(grantId)) as GrantPayload | undefined;
      if (!grant || grant.accountId !== userId) throw new GatehouseError('GH_OAUTH_GRANT_NOT_FOUND');
      await endGrant(grantId);
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
