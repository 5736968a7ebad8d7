import type { KoaContextWithOIDC } from 'oidc-provider';
import type { KeyValueStore } from '../../storage/index.js';

/**
 * The provider's own browser session (the gh.op.session cookie) is a credential too: while it lives it
 * mints authorization codes without a password. It must end when the user ends their credentials ("log
 * out everywhere", a password change, an operator's disable), which all move the user's credential
 * version. So each provider session remembers the version its login was proven under, and the account
 * lookup refuses a session whose version is no longer the user's.
 *
 * The version rides in the interaction result (captured when the password or gatehouse session was
 * checked, not later at resume, so holding a resume URL back cannot launder an old login) and is
 * recorded per session uid in the shared key-value store, so every node sees it.
 */
export const LOGIN_VERSION_RESULT = 'gatehouseCredentialVersion';

/** The reason the login prompt carries for a provider session that outlived its credential version. */
export const CREDENTIALS_CHANGED = 'credentials_changed';

export interface ProviderSessionVersions {
  record(sessionUid: string, version: number): Promise<void>;
  read(sessionUid: string): Promise<number | null>;
}

export function createProviderSessionVersions(kv: KeyValueStore, ttlMs: number): ProviderSessionVersions {
  const key = (uid: string) => `oidc:session-version:${uid}`;
  return {
    async record(uid, version) {
      await kv.set(key(uid), String(version), ttlMs);
    },
    async read(uid) {
      const value = await kv.get(key(uid));
      return value === null ? null : Number(value);
    },
  };
}

interface SessionLike {
  uid?: string;
  accountId?: string;
}

/**
 * findAccount's question when it is asked for the account of the browser session (no token): was that
 * session's login proven under the user's current credential version? A login finished in this very
 * request (resume) records its version first.
 */
export async function sessionStillValid(ctx: KoaContextWithOIDC | undefined, user: { id: string; credentialVersion: number }, versions: ProviderSessionVersions): Promise<boolean> {
  const oidc = ctx?.oidc;
  const session = oidc?.session as SessionLike | undefined;
  if (!session?.uid) return false;
  const result = oidc?.result as { login?: { accountId?: string }; [LOGIN_VERSION_RESULT]?: unknown } | undefined;
  const proven = result?.[LOGIN_VERSION_RESULT];
  if (result?.login?.accountId === user.id && typeof proven === 'number') {
    if (proven !== user.credentialVersion) return false;
    await versions.record(session.uid, proven);
    return true;
  }
  return (await versions.read(session.uid)) === user.credentialVersion;
}

/** True when findAccount is being asked about the browser session's account (not a token's). */
export function isSessionLookup(ctx: KoaContextWithOIDC | undefined, sub: string, token: unknown): boolean {
  return token === undefined && (ctx?.oidc?.session as SessionLike | undefined)?.accountId === sub;
}
