import type { Kysely, Selectable } from 'kysely';
import { GatehouseError } from '../core/index.js';
import { prepareQuery, type Database, type QueryParam } from '../storage/index.js';
import type { User } from './types.js';

type UserRow = Selectable<Database['users']>;

export interface StoredUser extends User {
  passwordHash: string;
}

const ROLE = /^[a-z][a-z0-9_.:-]{0,31}$/;

/** Role names are short lower-case identifiers; at most 16 per user. Throws GH_AUTH_ROLE_INVALID. */
export function checkRoles(roles: unknown): string[] {
  if (!Array.isArray(roles) || roles.length > 16 || !roles.every((r) => typeof r === 'string' && ROLE.test(r))) {
    throw new GatehouseError('GH_AUTH_ROLE_INVALID', { details: { field: 'roles' } });
  }
  return [...new Set(roles as string[])];
}

/** A display name: trimmed, 1–200 characters, no control characters; empty means none. */
export function checkName(name: unknown): string | null {
  if (name == null) return null;
  if (typeof name !== 'string') throw new GatehouseError('GH_AUTH_NAME_INVALID', { details: { field: 'name' } });
  const trimmed = name.trim().normalize('NFC');
  if (trimmed.length === 0) return null;
  if (trimmed.length > 200 || /\p{Cc}/u.test(trimmed)) throw new GatehouseError('GH_AUTH_NAME_INVALID', { details: { field: 'name' } });
  return trimmed;
}

function toUser(row: UserRow): StoredUser {
  let roles: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.roles);
    if (Array.isArray(parsed)) roles = parsed.filter((r): r is string => typeof r === 'string');
  } catch {
    roles = [];
  }
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles,
    credentialVersion: Number(row.credential_version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    emailVerifiedAt: row.email_verified_at == null ? null : Number(row.email_verified_at),
    emailVerifiedVia: row.email_verified_via,
    disabledAt: row.disabled_at == null ? null : Number(row.disabled_at),
    passwordHash: row.password_hash,
  };
}

export function publicUser(user: StoredUser): User {
  const { passwordHash: _, ...rest } = user;
  return rest;
}

/** A unique-index violation on SQLite or PostgreSQL (an email another account holds). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Wraps a write to one user's row: the per-node user cache drops it around the write. */
export type UserWriteGuard = <T>(userId: string, work: () => Promise<T>) => Promise<T>;

const unguarded: UserWriteGuard = (_, work) => work();

/**
 * The users table on SQLite or PostgreSQL. Every write to a user row that exists goes through `guard`
 * (here, and in the account-state writes that take it from Identity.changingUser).
 */
export function createUserRepository(db: Kysely<Database>, guard: UserWriteGuard = unguarded) {
  // Read on every cookie- or session-authenticated request: compiled and prepared once.
  const selectById = prepareQuery(db, (p: QueryParam<{ id: string }>) => db.selectFrom('users').selectAll().where('id', '=', p('id')));
  const byId = async (id: string): Promise<StoredUser | null> => {
    const row = await selectById.first({ id });
    return row ? toUser(row) : null;
  };
  return {
    byId,
    async byEmail(email: string): Promise<StoredUser | null> {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    async insert(user: StoredUser): Promise<void> {
      try {
        await db
          .insertInto('users')
          .values({
            id: user.id,
            email: user.email,
            name: user.name,
            password_hash: user.passwordHash,
            roles: JSON.stringify(user.roles),
            credential_version: user.credentialVersion,
            created_at: user.createdAt,
            updated_at: user.updatedAt,
            email_verified_at: user.emailVerifiedAt,
            email_verified_via: user.emailVerifiedVia,
            disabled_at: user.disabledAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new GatehouseError('GH_AUTH_EMAIL_TAKEN', { details: { field: 'email' } });
        throw error;
      }
    },
    async setPasswordHash(id: string, passwordHash: string, now: number, bumpVersion: boolean): Promise<void> {
      await guard(id, () => {
        let q = db.updateTable('users').set({ password_hash: passwordHash, updated_at: now });
        if (bumpVersion) q = q.set((eb) => ({ credential_version: eb('credential_version', '+', 1) }));
        return q.where('id', '=', id).execute();
      });
    },
    async bumpVersion(id: string, now: number): Promise<StoredUser | null> {
      await guard(id, () =>
        db
          .updateTable('users')
          .set((eb) => ({ credential_version: eb('credential_version', '+', 1), updated_at: now }))
          .where('id', '=', id)
          .execute(),
      );
      return byId(id);
    },
    async setRoles(id: string, roles: string[], now: number): Promise<StoredUser | null> {
      await guard(id, () => db.updateTable('users').set({ roles: JSON.stringify(roles), updated_at: now }).where('id', '=', id).execute());
      return byId(id);
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
