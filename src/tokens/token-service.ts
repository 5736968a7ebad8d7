import type { Kysely } from 'kysely';
import { GatehouseError, isGatehouseError, publicOrigin, type Clock, type Config, type CredentialResolver, type IdSource } from '../core/index.js';
import type { Database, KeyChanges, KeyValueStore, VouchedCacheFeed } from '../storage/index.js';
import { createAccessTokens, type AccessClaims, type AccessTokens } from './access-tokens.js';
import { createBearerResolver, type BearerUser } from './bearer-resolver.js';
import { createCachedDenyList, createDenyList, type DenyList } from './deny-list.js';
import { createKeystore, type Keystore } from './keystore.js';
import { createRefreshTokens, type RefreshTokens } from './refresh-tokens.js';


export interface TokenPair {
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  refreshToken: string;
  familyId: string;
  userId: string;
  claims: AccessClaims;
}

/** JWT mode as one object: what the HTTP routes, realtime and the CLI hold. */
export interface TokenService {
  keystore: Keystore;
  accessTokens: AccessTokens;
  refreshTokens: RefreshTokens;
  denyList: DenyList;
  /** A sign-in: a new refresh family and its first access token. */
  signIn(input: { userId: string; ip: string | null; userAgent: string | null; scope?: string }): Promise<TokenPair>;
  /**
   * Rotates the refresh token and issues a new access token. On reuse the family is revoked and its
   * sid denied before GH_TOKEN_REFRESH_REUSED (internal: familyId, userId) is rethrown.
   */
  refresh(refreshToken: string): Promise<TokenPair>;
  /** Logout of one sign-in; unknown tokens are ignored. Returns the family ended, if any. */
  signOut(refreshToken: string): Promise<{ familyId: string; userId: string } | null>;
  /** Ends these families and denies their live access tokens on every node. */
  revokeFamilies(familyIds: string[], reason?: string): Promise<void>;
  /**
   * Ends every sign-in of a user ("log out everywhere", password change, admin) but `exceptFamilyId`
   * (the caller's own, on a password change); returns the family ids ended.
   */
  revokeUser(userId: string, reason?: string, exceptFamilyId?: string | null): Promise<string[]>;
  /** `knownOnly`: only tokens this node has already verified (bearer-resolver.ts). */
  bearerResolver(getUser: (id: string) => Promise<BearerUser | null>, options?: { knownOnly?: boolean }): CredentialResolver;
  close(): void;
}

export interface TokenServiceDeps {
  db: Kysely<Database>;
  /** Shared store of the deny-list: Redis or SQL so every node sees it. */
  kv: KeyValueStore;
  secret: string;
  clock: Clock;
  ids: IdSource;
  config: Config;
  /** Default: the public origin. */
  issuer?: string;
  /** Default: config.tokens.audience, else `<public origin>/api`. */
  audience?: string;
  onError?: (error: unknown) => void;
  /**
   * What reports writes to `kv`'s entries by key: the SQLite change feed when `kv` is the SQL key-value
   * store on that same database, Redis tracking (`trackedKeys`) when `kv` reads through the
   * tracked connection. The deny-list's "not denied" answers are then remembered per node
   * (deny-list.ts `createCachedDenyList`).
   */
  denyListChanges?: (VouchedCacheFeed & { keys?: KeyChanges | undefined }) | null;
  /**
   * The user's current profile: access tokens then carry email, name and roles (no store read per
   * request), refreshed at every rotation; a refresh for a deleted user ends the family.
   */
  getUser?: (id: string) => Promise<BearerUser | null>;
}

export async function createTokenService(deps: TokenServiceDeps): Promise<TokenService> {
  const { db, clock, ids, config } = deps;
  const origin = publicOrigin(config);
  const keystore = await createKeystore({ db, secret: deps.secret, clock, ids, config, ...(deps.onError ? { onError: deps.onError } : {}) });
  const denyList = cachedWhereWatched(createDenyList(deps.kv, clock), deps.denyListChanges ?? null, clock, config);
  const accessTokens = createAccessTokens({
    keystore,
    denyList,
    clock,
    ids,
    config,
    issuer: deps.issuer ?? origin,
    audience: deps.audience ?? config.tokens.audience ?? `${origin}/api`,
  });
  const refreshTokens = createRefreshTokens({ db, clock, ids, config });
  // Long enough that every access token already issued to the family has expired, tolerance included.
  const denyUntil = () => clock.now() + (config.tokens.accessTtlSec + config.tokens.clockToleranceSec) * 1000;

  const revokeFamilies = async (familyIds: string[], reason = 'logout'): Promise<void> => {
    for (const id of familyIds) {
      await refreshTokens.revokeFamily(id, reason);
      await denyList.deny(id, denyUntil());
    }
  };

  return {
    keystore,
    accessTokens,
    refreshTokens,
    denyList,
    async signIn(input) {
      const profile = deps.getUser ? await deps.getUser(input.userId) : null;
      const started = await refreshTokens.start(input);
      const access = await accessTokens.issue({
        sub: input.userId,
        sid: started.familyId,
        ...(input.scope ? { scope: input.scope } : {}),
        notAfter: started.absoluteExpiresAt,
        ...(profile ? { profile: { email: profile.email, name: profile.name, roles: profile.roles } } : {}),
      });
      return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: started.token, familyId: started.familyId, userId: input.userId, claims: access.claims };
    },
    async refresh(refreshToken) {
      try {
        const rotated = await refreshTokens.rotate(refreshToken);
        let profile: BearerUser | null = null;
        if (deps.getUser) {
          profile = await deps.getUser(rotated.userId);
          if (!profile) {
            await revokeFamilies([rotated.familyId], 'user-gone');
            throw new GatehouseError('GH_TOKEN_REFRESH_INVALID');
          }
        }
        const access = await accessTokens.issue({
          sub: rotated.userId,
          sid: rotated.familyId,
          scope: rotated.scope,
          notAfter: rotated.absoluteExpiresAt,
          ...(profile ? { profile: { email: profile.email, name: profile.name, roles: profile.roles } } : {}),
        });
        return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: rotated.token, familyId: rotated.familyId, userId: rotated.userId, claims: access.claims };
      } catch (error) {
        if (isGatehouseError(error) && error.code === 'GH_TOKEN_REFRESH_REUSED') {
          // The family is revoked already; its access tokens (the thief's or the victim's) stop now too.
          await denyList.deny(String(error.internal?.familyId), denyUntil());
        }
        throw error;
      }
    },
    async signOut(refreshToken) {
      const family = await refreshTokens.familyOf(refreshToken);
      if (!family) return null;
      await revokeFamilies([family.familyId], 'logout');
      return family;
    },
    revokeFamilies,
    async revokeUser(userId, reason = 'logout-everywhere', exceptFamilyId = null) {
      const familyIds = await refreshTokens.revokeUser(userId, reason, exceptFamilyId);
      for (const id of familyIds) await denyList.deny(id, denyUntil());
      return familyIds;
    },
    bearerResolver(getUser, options = {}) {
      return createBearerResolver({ accessTokens, getUser, ...(options.knownOnly ? { knownOnly: true } : {}) });
    },
    close() {
      keystore.close();
    },
  };
}


/** Families remembered as not denied per node: about 1 MB at most. */
const DENY_CACHE_SIZE = 10_000;

/** The deny-list behind its per-node memory where the feed watches the key-value entries (SQLite). */
function cachedWhereWatched(denyList: DenyList, changes: TokenServiceDeps['denyListChanges'], clock: Clock, config: Config): DenyList {
  if (!changes?.keys) return denyList;
  return createCachedDenyList(denyList, { size: DENY_CACHE_SIZE, maxAgeMs: config.userCache.maxAgeSec * 1000, clock, feed: changes, keyChanges: changes.keys });
}
