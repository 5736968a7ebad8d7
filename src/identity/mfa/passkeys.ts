import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import { GatehouseError, sha256, type Clock, type IdSource } from '../../core/index.js';
import type { Database, KeyValueStore } from '../../storage/index.js';

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** A synced passkey (several devices) rather than one bound to a single authenticator. */
  backedUp: boolean;
}

/** The relying party: the public origin and its host name (the RP ID). */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** RFC 8176: a key held in hardware (`hwk`) or a synced, software-held one (`swk`). */
export type PasskeyAmr = 'hwk' | 'swk';

export interface Passkeys {
  list(userId: string): Promise<PasskeyView[]>;
  registrationOptions(user: { id: string; email: string; name: string | null }, rp: RelyingParty): Promise<{ ceremony: string; options: PublicKeyCredentialCreationOptionsJSON }>;
  register(input: { userId: string; ceremony: unknown; response: unknown; name: string; rp: RelyingParty }): Promise<PasskeyView>;
  /** Options for a discoverable sign-in (no credential list: the authenticator offers its passkeys). */
  authenticationOptions(rp: RelyingParty): Promise<{ ceremony: string; options: PublicKeyCredentialRequestOptionsJSON }>;
  /**
   * Verifies an assertion; the signature counter must grow (a cloned authenticator's does not):
   * GH_MFA_PASSKEY_COUNTER. Returns the passkey's user and its amr.
   */
  authenticate(input: { ceremony: unknown; response: unknown; rp: RelyingParty; requireUserVerification?: boolean }): Promise<{ userId: string; passkeyId: string; amr: PasskeyAmr }>;
  rename(userId: string, id: string, name: string): Promise<PasskeyView>;
  remove(userId: string, id: string): Promise<boolean>;
}

const CEREMONY_MS = 5 * 60 * 1000;

const cleanName = (name: unknown): string => {
  const trimmed = typeof name === 'string' ? name.trim().normalize('NFC') : '';
  if (trimmed.length === 0 || trimmed.length > 100 || /\p{Cc}/u.test(trimmed)) throw new GatehouseError('GH_MFA_PASSKEY_NAME_INVALID', { details: { field: 'name' } });
  return trimmed;
};

/**
 * Passkeys (WebAuthn) with @simplewebauthn/server. Each ceremony's challenge waits in the shared store
 * under a random handle for five minutes and is used once; registration needs user verification as
 * the authenticator offers it, and keys are discoverable so a passkey alone can sign in.
 */
export function createPasskeys(deps: { db: Kysely<Database>; kv: KeyValueStore; clock: Clock; ids: IdSource }): Passkeys {
  const { db, kv, clock, ids } = deps;
  const ceremonyKey = (handle: string) => `webauthn:${sha256(handle)}`;
  const view = (row: { id: string; name: string; created_at: number; last_used_at: number | null; backed_up: number }): PasskeyView => ({
    id: row.id,
    name: row.name,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at == null ? null : Number(row.last_used_at),
    backedUp: Number(row.backed_up) === 1,
  });
  const begin = async (purpose: string, challenge: string, userId: string | null) => {
    const ceremony = ids.token(24);
    await kv.set(ceremonyKey(ceremony), JSON.stringify({ purpose, challenge, userId }), CEREMONY_MS);
    return ceremony;
  };
  /** The ceremony's challenge, once: a second use of the same handle is refused. */
  const take = async (handle: unknown, purpose: string): Promise<{ challenge: string; userId: string | null }> => {
    if (typeof handle !== 'string' || handle.length < 16 || handle.length > 64) throw new GatehouseError('GH_MFA_CEREMONY_INVALID');
    const raw = await kv.get(ceremonyKey(handle));
    if (!raw || !(await kv.setIfAbsent(`${ceremonyKey(handle)}:used`, '1', CEREMONY_MS))) throw new GatehouseError('GH_MFA_CEREMONY_INVALID');
    await kv.delete(ceremonyKey(handle));
    const stored = JSON.parse(raw) as { purpose: string; challenge: string; userId: string | null };
    if (stored.purpose !== purpose) throw new GatehouseError('GH_MFA_CEREMONY_INVALID');
    return stored;
  };
  const one = async (userId: string, id: string) => {
    const row = await db.selectFrom('mfa_passkeys').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new GatehouseError('GH_MFA_PASSKEY_NOT_FOUND');
    return row;
  };

  return {
    async list(userId) {
      const rows = await db.selectFrom('mfa_passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'asc').execute();
      return rows.map(view);
    },

    async registrationOptions(user, rp) {
      const existing = await db.selectFrom('mfa_passkeys').select(['id', 'transports']).where('user_id', '=', user.id).execute();
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: user.email,
        userDisplayName: user.name ?? user.email,
        userID: new TextEncoder().encode(user.id),
        attestationType: 'none',
        // The same authenticator twice would be one factor counted as two.
        excludeCredentials: existing.map((c) => ({ id: c.id, transports: JSON.parse(c.transports) as AuthenticatorTransportFuture[] })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      return { ceremony: await begin('register', options.challenge, user.id), options };
    },

    async register(input) {
      const name = cleanName(input.name);
      const { challenge, userId } = await take(input.ceremony, 'register');
      if (userId !== input.userId) throw new GatehouseError('GH_MFA_CEREMONY_INVALID');
      let verified;
      try {
        verified = await verifyRegistrationResponse({
          response: input.response as RegistrationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: input.rp.origin,
          expectedRPID: input.rp.id,
          requireUserVerification: false,
        });
      } catch (cause) {
        throw new GatehouseError('GH_MFA_PASSKEY_INVALID', { cause });
      }
      if (!verified.verified || !verified.registrationInfo) throw new GatehouseError('GH_MFA_PASSKEY_INVALID');
      const { credential, credentialBackedUp } = verified.registrationInfo;
      const now = clock.now();
      const row = {
        id: credential.id,
        user_id: input.userId,
        name,
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        backed_up: credentialBackedUp ? 1 : 0,
        created_at: now,
        last_used_at: null,
      };
      const taken = await db.selectFrom('mfa_passkeys').select('id').where('id', '=', credential.id).executeTakeFirst();
      if (taken) throw new GatehouseError('GH_MFA_PASSKEY_INVALID');
      await db.insertInto('mfa_passkeys').values(row).execute();
      return view(row);
    },

    async authenticationOptions(rp) {
      const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'preferred' });
      return { ceremony: await begin('authenticate', options.challenge, null), options };
    },

    async authenticate(input) {
      const { challenge } = await take(input.ceremony, 'authenticate');
      const response = input.response as AuthenticationResponseJSON;
      const id = typeof response?.id === 'string' ? response.id : '';
      const row = id ? await db.selectFrom('mfa_passkeys').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
      if (!row) throw new GatehouseError('GH_MFA_PASSKEY_INVALID');
      const stored = Number(row.counter);
      let verified;
      try {
        verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: input.rp.origin,
          expectedRPID: input.rp.id,
          credential: { id: row.id, publicKey: Buffer.from(row.public_key, 'base64url'), counter: stored, transports: JSON.parse(row.transports) as AuthenticatorTransportFuture[] },
          // Alone, a passkey must be two factors itself (the device checked a PIN or biometric); after
          // the password, possession is the factor asked for.
          requireUserVerification: input.requireUserVerification ?? false,
        });
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : '';
        throw new GatehouseError(/counter/i.test(message) ? 'GH_MFA_PASSKEY_COUNTER' : 'GH_MFA_PASSKEY_INVALID', { cause, internal: { userId: row.user_id } });
      }
      if (!verified.verified) throw new GatehouseError('GH_MFA_PASSKEY_INVALID');
      const next = verified.authenticationInfo.newCounter;
      // Conditional: two nodes given assertions with the same counter at once accept only one.
      const result = await db
        .updateTable('mfa_passkeys')
        .set({ counter: next, last_used_at: clock.now() })
        .where('id', '=', row.id)
        .where((eb) => (next === 0 ? eb('counter', '=', 0) : eb('counter', '<', next)))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new GatehouseError('GH_MFA_PASSKEY_COUNTER', { internal: { userId: row.user_id } });
      return { userId: row.user_id, passkeyId: row.id, amr: Number(row.backed_up) === 1 ? 'swk' : 'hwk' };
    },

    async rename(userId, id, name) {
      const clean = cleanName(name);
      await one(userId, id);
      await db.updateTable('mfa_passkeys').set({ name: clean }).where('user_id', '=', userId).where('id', '=', id).execute();
      return view(await one(userId, id));
    },

    async remove(userId, id) {
      const result = await db.deleteFrom('mfa_passkeys').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}
