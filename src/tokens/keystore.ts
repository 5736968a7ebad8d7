import type { Kysely } from 'kysely';
import type { CryptoKey, JWK } from 'jose';
import { deriveKey, GatehouseError, type Clock, type Config, type IdSource } from '../core/index.js';
import type { Database } from '../storage/index.js';
import { generateSigningKey, importKey, openPrivateJwk, publicPart, sealPrivateJwk, type SigningAlg } from './key-material.js';

export type KeyState = 'next' | 'current' | 'previous' | 'retired';

export interface Keystore {
  /** The key that signs now: of the configured algorithm, or of `alg` (every supported one has a lane). */
  signingKey(alg?: SigningAlg): Promise<{ kid: string; alg: SigningAlg; privateKey: CryptoKey }>;
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
 * Every algorithm has its own lane of keys (current, next, previous), rotated together: first-party
 * tokens sign with the configured one, while OpenID Connect needs RS256 for ID tokens (OIDC Core §15.1
 * makes it mandatory to support) and lets a client ask for ES256 or EdDSA instead.
 */
export const SIGNING_ALGS: readonly SigningAlg[] = ['EdDSA', 'ES256', 'RS256'];

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
  let currentByAlg = new Map<SigningAlg, LoadedKey>();
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

  async function insertKey(keyAlg: SigningAlg, state: 'current' | 'next'): Promise<boolean> {
    const fresh = await generateSigningKey(keyAlg);
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
    const signing = new Map<SigningAlg, LoadedKey>();
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
      if (key.state === 'current') signing.set(key.alg, key);
    }
    keys = next;
    currentByAlg = signing;
    current = signing.get(alg) ?? null;
    schedule();
  }

  async function ensureKeys(): Promise<void> {
    await load();
    let changed = false;
    for (const laneAlg of SIGNING_ALGS) {
      if (!currentByAlg.has(laneAlg)) {
        await insertKey(laneAlg, 'current');
        changed = true;
      }
      if (![...keys.values()].some((k) => k.state === 'next' && k.alg === laneAlg)) {
        await insertKey(laneAlg, 'next');
        changed = true;
      }
    }
    if (changed) await load();
  }

  async function rotateFrom(fromKid: string, laneAlg: SigningAlg): Promise<{ rotated: boolean; retired: string[] }> {
    const fresh = await generateSigningKey(laneAlg);
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
      const promoted = await trx.updateTable('token_keys').set({ state: 'current', activated_at: now }).where('state', '=', 'next').where('alg', '=', laneAlg).executeTakeFirst();
      const freshState = Number(promoted.numUpdatedRows) === 0 ? 'current' : 'next';
      if (freshState === 'current') await trx.deleteFrom('token_keys').where('state', '=', 'next').where('alg', '=', laneAlg).execute();
      await trx
        .insertInto('token_keys')
        .values({
          kid: fresh.kid,
          alg: laneAlg,
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
    for (const key of [...currentByAlg.values()]) {
      if (key.activatedAt != null && key.activatedAt + rotationMs <= clock.now()) await rotateFrom(key.kid, key.alg);
    }
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
    const due = [...currentByAlg.values()].map((k) => k.activatedAt).filter((at): at is number => at != null);
    if (due.length) {
      cancelRotation = clock.setTimer(Math.max(0, Math.min(...due) + rotationMs - clock.now()), fromTimer(rotateIfDue));
    }
    if (!cancelReload) {
      cancelReload = clock.setTimer(reloadEveryMs, () => {
        cancelReload = null;
        fromTimer(load)();
      });
    }
  }

  // Changing the configured algorithm only changes which lane signs: every lane is always kept.
  await exclusive(ensureKeys);

  const requireCurrent = (laneAlg: SigningAlg = alg): LoadedKey => {
    const key = laneAlg === alg ? current : (currentByAlg.get(laneAlg) ?? null);
    // Every lane gets keys at start (ensureKeys), so this is our fault, not the caller's: a coded 500.
    if (!key || !key.privateKey) throw new GatehouseError('GH_CORE_INTERNAL', { message: `The keystore has no ${laneAlg} signing key.` });
    return key;
  };

  return {
    async signingKey(laneAlg) {
      const key = requireCurrent(laneAlg);
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
        const retired: string[] = [];
        for (const key of [...currentByAlg.values()]) retired.push(...(await rotateFrom(key.kid, key.alg)).retired);
        const next = [...keys.values()].find((k) => k.state === 'next' && k.alg === alg);
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
    // Current keys first (the configured algorithm's first of all): oidc-provider signs with the first key
    // of an algorithm it finds, and JWKS readers see the key in use at the top.
    const rank: Record<KeyState, number> = { current: 0, next: 1, previous: 2, retired: 3 };
    const lane = (k: LoadedKey) => (k.alg === alg ? 0 : 1);
    return [...keys.values()].sort((a, b) => rank[a.state] - rank[b.state] || lane(a) - lane(b) || (b.activatedAt ?? 0) - (a.activatedAt ?? 0));
  }
}
