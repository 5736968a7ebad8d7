import type { Kysely } from 'kysely';
import { GatehouseError, type Clock, type IdSource } from '../core/index.js';
import type { Database } from '../storage/index.js';

export interface FederationLink {
  id: string;
  userId: string;
  provider: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface LinkStore {
  find(provider: string, subject: string): Promise<FederationLink | null>;
  create(input: { userId: string; provider: string; subject: string; email: string | null; emailVerified: boolean }): Promise<FederationLink>;
  touch(id: string): Promise<void>;
  list(userId: string): Promise<FederationLink[]>;
  /** GH_OAUTH_LINK_NOT_FOUND unless the link is the user's own. */
  remove(userId: string, id: string): Promise<void>;
}

export function createLinkStore(deps: { db: Kysely<Database>; clock: Clock; ids: IdSource }): LinkStore {
  type Row = Database['federation_links'];
  const toLink = (r: Row): FederationLink => ({
    id: r.id,
    userId: r.user_id,
    provider: r.provider,
    subject: r.subject,
    email: r.email,
    emailVerified: r.email_verified === 1,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
  });
  return {
    async find(provider, subject) {
      const row = await deps.db.selectFrom('federation_links').selectAll().where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
      return row ? toLink(row) : null;
    },
    async create(input) {
      const row: Row = {
        id: deps.ids.uuid(),
        user_id: input.userId,
        provider: input.provider,
        subject: input.subject,
        email: input.email,
        email_verified: input.emailVerified ? 1 : 0,
        created_at: deps.clock.now(),
        last_login_at: deps.clock.now(),
      };
      try {
        await deps.db.insertInto('federation_links').values(row).execute();
      } catch (cause) {
        // The unique (provider, subject) index: someone linked this external account first.
        throw new GatehouseError('GH_OAUTH_LINK_TAKEN', { cause });
      }
      return toLink(row);
    },
    async touch(id) {
      await deps.db.updateTable('federation_links').set({ last_login_at: deps.clock.now() }).where('id', '=', id).execute();
    },
    async list(userId) {
      const rows = await deps.db.selectFrom('federation_links').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
      return rows.map(toLink);
    },
    async remove(userId, id) {
      const result = await deps.db.deleteFrom('federation_links').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new GatehouseError('GH_OAUTH_LINK_NOT_FOUND');
    },
  };
}
