import type { Kysely } from 'kysely';
import type { CryptoKey, JWK } from 'jose';
import { deriveKey, type Clock, type Config, type IdSource } from '../core/index.js';
import type { Database } from '../storage/index.js';
import { generateSigningKey, importKey, openPrivateJwk, publicPart, sealPrivateJwk, type SigningAlg } from './key-material.js';

export type KeyState = 'next' | 'current' | 'previous' | 'retired';

export interface Keystore {
  /** The key that signs now. */
  signingKey(): Promise<{ kid: string; alg: SigningAlg; privateKey: CryptoKey }>;
  /** Public key for a kid, or null (unknown kid is never trusted, never fetched). */
  verificationKey(kid: string): Promise<{ alg: string; publicKey: CryptoKey } | null>;
  /** current, next and previous (until every token they signed has expired) public keys. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** For oidc-provider (the OAuth work signs with this same keystore): private JWKs, current first. */
  privateJwks(): Promise<{ keys: JWK[] }>;
  rotate(): Promise<{ current: string; next: string; retired: string[] }>;
  /** Re-reads keys from the store (another node or `gatehouse keys rotate` may have rotated). */
  reload(): Promise<void>;
  /** Resolves once timer-started work (automatic rotation, periodic reload) has finished: for tests. */
  whenIdle(): Promise<void>;
  /** Stops the rotation and reload timers. */
  close(): void;
}

export interface KeystoreDeps {
  db: Kysely<Database>;
  secret: string;
  clock: Clock;
  ids: IdSource;
  config: Config;
  /** How often keys are re-read so rotations done elsewhere arrive (default 60 s). */
  reloadEveryMs?: number;
  /** Timer-driven failures (store down during a rotation) are reported here, never thrown. */
  onError?: (error: unknown) => void;
}

interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  state: KeyState;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateJwk: JWK | null;
  privateKey: CryptoKey | null;
  activatedAt: number | null;
  retireAt: number | null;
}

// kids we mint are base64url thumbprints; anything else (paths, quotes, SQL) is refused before any lookup.
const KID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;
const UNKNOWN_KID_RELOAD_MS = 5_000;

/**
 * The one signing keystore of the system (first-party JWTs and the OAuth server alike). Keys live in
 * the token_keys table, private halves encrypted under the instance secret; each is bound to one alg
 * and one kid and moves next → current → previous → retired. Rotation is a conditional UPDATE on the
 * current kid, so when several nodes decide to rotate at once exactly one of them does it.
 */
export async function createKeystore(deps: KeystoreDeps): Promise<Keystore> {
  const { db, clock, config } = deps;
  const atRestKey = deriveKey(deps.secret, 'gatehouse/keystore');
  const alg: SigningAlg = config.tokens.algorithm;
  const rotationMs = config.tokens.keyRotationSec * 1000;
  // A key that stopped signing stays verifiable (and published) until the last token it signed expired.
  const retireAfterMs = (Math.max(config.tokens.accessTtlSec, config.oauth.accessTtlSec) + config.tokens.clockToleranceSec) * 1000;
  const reloadEveryMs = deps.reloadEveryMs ?? 60_000;
  const onError = deps.onError ?? (() => {});

  let keys = new Map<string, LoadedKey>();
  let current: LoadedKey | null = null;
  let lastMissReload = Number.NEGATIVE_INFINITY;
  let closed = false;
  let cancelRotation: (() => void) | null = null;
  let cancelReload: (() => void) | null = null;

  // Store-changing work runs one at a time per node; across nodes the SQL conditions decide.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => {});
    return run;
  };

  const live = (key: LoadedKey, now: number): boolean => key.state !== 'retired' && (key.retireAt === null || key.retireAt > now);

  async function insertKey(state: 'current' | 'next'): Promise<boolean> {
    const fresh = await generateSigningKey(alg);
    const now = clock.now();
    try {
      await db
        .insertInto('token_keys')
        .values({
          kid: fresh.kid,
          alg: fresh.alg,
          state,
          public_jwk: JSON.stringify(fresh.publicJwk),
          private_jwe: await sealPrivateJwk(fresh.privateJwk, fresh.kid, atRestKey),
          created_at: now,
          activated_at: state === 'current' ? now : null,
          deactivated_at: null,
          retire_at: null,
        })
        .execute();
      return true;
    } catch {
      // Another node inserted its key for this state first (unique partial index): theirs is used.
      return false;
    }
  }

  async function load(): Promise<void> {
    const now = clock.now();
    // Retiring is idempotent, so every node may do it; the private half is dropped with the state.
    await db.updateTable('token_keys').set({ state: 'retired', private_jwe: null }).where('state', '=', 'previous').where('retire_at', '<=', now).execute();
    const rows = await db.selectFrom('token_keys').selectAll().where('state', '!=', 'retired').execute();
    const next = new Map<string, LoadedKey>();
    let signing: LoadedKey | null = null;
    for (const row of rows) {
      const publicJwk = JSON.parse(row.public_jwk) as JWK;
      const privateJwk = row.private_jwe ? await openPrivateJwk(row.private_jwe, row.kid, atRestKey) : null;
      const key: LoadedKey = {
        kid: row.kid,
        alg: row.alg as SigningAlg,
        state: row.state as KeyState,
        publicJwk,
        publicKey: keys.get(row.kid)?.publicKey ?? (await importKey(publicJwk, row.alg)),
        privateJwk,
        privateKey: privateJwk && row.state === 'current' ? (keys.get(row.kid)?.privateKey ?? (await importKey(privateJwk, row.alg))) : null,
        activatedAt: row.activated_at,
        retireAt: row.retire_at,
      };
      next.set(key.kid, key);
      if (key.state === 'current') signing = key;
    }
    keys = next;
    current = signing;
    schedule();
  }

  async function ensureKeys(): Promise<void> {
    await load();
    let changed = false;
    if (!current) {
      await insertKey('current');
      changed = true;
    }
    const pending = [...keys.values()].find((k) => k.state === 'next');
    if (pending && pending.alg !== alg) {
      // The configured algorithm changed: a next key of the old one is replaced before it ever signs.
      await db.deleteFrom('token_keys').where('kid', '=', pending.kid).where('state', '=', 'next').execute();
      changed = true;
    }
    if (!pending || pending.alg !== alg) {
      await insertKey('next');
      changed = true;
    }
    if (changed) await load();
  }

  async function rotateFrom(fromKid: string): Promise<{ rotated: boolean; retired: string[] }> {
    const fresh = await generateSigningKey(alg);
    const sealed = await sealPrivateJwk(fresh.privateJwk, fresh.kid, atRestKey);
    const now = clock.now();
    const rotated = await db.transaction().execute(async (trx) => {
      const demoted = await trx
        .updateTable('token_keys')
        .set({ state: 'previous', deactivated_at: now, retire_at: now + retireAfterMs })
        .where('kid', '=', fromKid)
        .where('state', '=', 'current')
        .executeTakeFirst();
      // Someone else rotated away from this key already: do not rotate a second time.
      if (Number(demoted.numUpdatedRows) === 0) return false;
      const promoted = await trx.updateTable('token_keys').set({ state: 'current', activated_at: now }).where('state', '=', 'next').where('alg', '=', alg).executeTakeFirst();
      const freshState = Number(promoted.numUpdatedRows) === 0 ? 'current' : 'next';
      if (freshState === 'current') await trx.deleteFrom('token_keys').where('state', '=', 'next').execute();
      await trx
        .insertInto('token_keys')
        .values({
          kid: fresh.kid,
          alg,
          state: freshState,
          public_jwk: JSON.stringify(fresh.publicJwk),
          private_jwe: sealed,
          created_at: now,
          activated_at: freshState === 'current' ? now : null,
          deactivated_at: null,
          retire_at: null,
        })
        .execute();
      return true;
    });
    const before = new Set([...keys.values()].filter((k) => k.state === 'previous').map((k) => k.kid));
    await ensureKeys();
    const retired = [...before].filter((kid) => !keys.has(kid));
    return { rotated, retired };
  }

  async function rotateIfDue(): Promise<void> {
    await load();
    if (current?.activatedAt != null && current.activatedAt + rotationMs <= clock.now()) await rotateFrom(current.kid);
  }

  let pendingTimerWork: Promise<unknown> = Promise.resolve();
  const fromTimer = (fn: () => Promise<void>) => () => {
    if (closed) return;
    pendingTimerWork = exclusive(fn).catch(onError);
  };

  function schedule(): void {
    if (closed) return;
    cancelRotation?.();
    cancelRotation = null;
    if (current?.activatedAt != null) {
      cancelRotation = clock.setTimer(Math.max(0, current.activatedAt + rotationMs - clock.now()), fromTimer(rotateIfDue));
    }
    if (!cancelReload) {
      cancelReload = clock.setTimer(reloadEveryMs, () => {
        cancelReload = null;
        fromTimer(load)();
      });
    }
  }

  await exclusive(async () => {
    await ensureKeys();
    // The configured algorithm changed since the current key was made: rotate to a key of the new one.
    if (current && current.alg !== alg) await rotateFrom(current.kid);
  });

  const requireCurrent = (): LoadedKey => {
    if (!current || !current.privateKey) throw new Error('keystore has no signing key');
    return current;
  };

  return {
    async signingKey() {
      const key = requireCurrent();
      return { kid: key.kid, alg: key.alg, privateKey: key.privateKey! };
    },
    async verificationKey(kid) {
      if (typeof kid !== 'string' || !KID_SHAPE.test(kid)) return null;
      let key = keys.get(kid);
      if (!key && clock.now() - lastMissReload >= UNKNOWN_KID_RELOAD_MS) {
        // A kid minted by another node's rotation arrives before our periodic reload; look once in our own
        // store (never at a URL the token names), at most every few seconds so junk kids cannot flood it.
        lastMissReload = clock.now();
        // A store hiccup here must not turn a bad token into a server error: the kid stays unknown.
        await exclusive(load).catch(onError);
        key = keys.get(kid);
      }
      if (!key || !live(key, clock.now())) return null;
      return { alg: key.alg, publicKey: key.publicKey };
    },
    async jwks() {
      const now = clock.now();
      return { keys: ordered().filter((k) => live(k, now)).map((k) => publicPart(k.publicJwk)) };
    },
    async privateJwks() {
      const now = clock.now();
      return { keys: ordered().filter((k) => live(k, now) && k.privateJwk).map((k) => ({ ...k.privateJwk! })) };
    },
    rotate() {
      return exclusive(async () => {
        // Rotate away from the key this node knows signs: if another node already rotated away from it,
        // the conditional UPDATE finds nothing and we adopt their rotation instead of making a second.
        const { retired } = await rotateFrom(requireCurrent().kid);
        const next = [...keys.values()].find((k) => k.state === 'next');
        return { current: requireCurrent().kid, next: next?.kid ?? '', retired };
      });
    },
    reload() {
      return exclusive(load);
    },
    async whenIdle() {
      await pendingTimerWork;
      await chain;
    },
    close() {
      closed = true;
      cancelRotation?.();
      cancelReload?.();
    },
  };

  function ordered(): LoadedKey[] {
    const rank: Record<KeyState, number> = { current: 0, next: 1, previous: 2, retired: 3 };
    return [...keys.values()].sort((a, b) => rank[a.state] - rank[b.state] || (b.activatedAt ?? 0) - (a.activatedAt ?? 0));
  }
}
