import { parseOptions } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, silentLogger, type Config, type DeepPartial } from '../core/index.js';
import { createMemoryKeyValueStore } from '../storage/index.js';
import { createTestDatabase, type TestDialect } from '../../test/support/services.js';
import { createIdentity, createPasswordHasher, type Identity, type PasswordHasher } from './index.js';

// Low argon2 cost keeps the suite quick; the parameters themselves are tested in the rehash case.
const FAST: DeepPartial<Config> = { passwords: { memoryCostKiB: 1024, timeCost: 1 } };
const PASSWORD = 'tangerine-otter-42';

/** A real hasher that counts verify calls: proves both login failure paths do the same work. */
function countingHasher(config: Config): PasswordHasher & { verifies: number } {
  const real = createPasswordHasher(config);
  const counter = {
    verifies: 0,
    hash: (pw: string) => real.hash(pw),
    needsRehash: (h: string) => real.needsRehash(h),
    async verify(h: string, pw: string) {
      counter.verifies++;
      return real.verify(h, pw);
    },
  };
  return counter;
}

describe.each<TestDialect>(['sqlite', 'postgres'])('Identity on %s', (dialect) => {
  const clock = createManualClock();
  const { config } = loadConfig(FAST);
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let identity: Identity;
  let hasher: ReturnType<typeof countingHasher>;
  const make = (cfg: Config, passwords?: PasswordHasher) =>
    createIdentity({ db: handle.db, kv: createMemoryKeyValueStore(clock), clock, ids: cryptoIds, config: cfg, logger: silentLogger(), ...(passwords ? { passwords } : {}) });

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    hasher = countingHasher(config);
    identity = make(config, hasher);
  });
  afterAll(() => handle.dispose());

  it('signs up with a normalised email, default role and credential version 1', async () => {
    const user = await identity.signup({ email: '  Ada@Example.COM ', password: PASSWORD, name: ' Ada ' });
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada', roles: ['user'], credentialVersion: 1 });
    expect(user).not.toHaveProperty('passwordHash');
    expect(await identity.findUserByEmail('ADA@example.com')).toMatchObject({ id: user.id });
    expect(await identity.getUser(user.id)).toMatchObject({ email: 'ada@example.com' });
  });

  it('refuses a taken email, an invalid email and a weak password with coded errors', async () => {
    await expect(identity.signup({ email: 'ada@example.com', password: 'another-fine-pass' })).rejects.toMatchObject({ code: 'GH_AUTH_EMAIL_TAKEN' });
    await expect(identity.signup({ email: 'not-an-email', password: PASSWORD })).rejects.toMatchObject({ code: 'GH_AUTH_EMAIL_INVALID' });
    await expect(identity.signup({ email: 'b@example.com', password: 'password1' })).rejects.toMatchObject({ code: 'GH_AUTH_PASSWORD_COMMON' });
    await expect(identity.signup({ email: 'b@example.com', password: PASSWORD, roles: ['Bad Role'] })).rejects.toMatchObject({ code: 'GH_AUTH_ROLE_INVALID' });
  });

  it('keeps the hash in argon2id with the configured parameters', async () => {
    const row = await handle.db.selectFrom('users').select('password_hash').where('email', '=', 'ada@example.com').executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(parseOptions(row.password_hash)).toMatchObject({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  });

  it('logs in with the right password, and accepts the email in any case', async () => {
    const user = await identity.authenticate({ email: 'ADA@example.com', password: PASSWORD, ip: '192.0.2.1', userAgent: 'test' });
    expect(user.email).toBe('ada@example.com');
  });

  it('answers an unknown email exactly like a wrong password, each after one verify', async () => {
    const attempt = async (email: string) => {
      const before = hasher.verifies;
      const error = await identity.authenticate({ email, password: 'wrong-password-x', ip: '192.0.2.2' }).catch((e: unknown) => e);
      return { verifies: hasher.verifies - before, code: (error as { code: string }).code, message: (error as Error).message, status: (error as { statusCode: number }).statusCode };
    };
    const wrong = await attempt('ada@example.com');
    const unknown = await attempt('nobody@example.com');
    const malformed = await attempt('not an email');
    expect(wrong).toEqual({ verifies: 1, code: 'GH_AUTH_INVALID_CREDENTIALS', message: wrong.message, status: 401 });
    expect(unknown).toEqual(wrong);
    expect(malformed).toEqual(wrong);
  });

  it('rehashes on login when the parameters changed', async () => {
    const { config: stronger } = loadConfig({ passwords: { memoryCostKiB: 2048, timeCost: 2 } });
    const upgraded = make(stronger);
    const user = await upgraded.signup({ email: 'rehash@example.com', password: PASSWORD });
    const read = async () =>
      (await handle.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash;
    // Made with the stronger parameters; the "old" node (FAST) sees it as needing a rehash, and back.
    expect(identity.passwords.needsRehash(await read())).toBe(true);
    await identity.authenticate({ email: 'rehash@example.com', password: PASSWORD, ip: '192.0.2.3' });
    expect(parseOptions(await read())).toMatchObject({ memoryCost: 1024, timeCost: 1 });
    expect(identity.passwords.needsRehash(await read())).toBe(false);
    // The new hash still verifies, on both nodes.
    await expect(upgraded.authenticate({ email: 'rehash@example.com', password: PASSWORD, ip: '192.0.2.3' })).resolves.toMatchObject({ id: user.id });
    expect(parseOptions(await read())).toMatchObject({ memoryCost: 2048, timeCost: 2 });
  });

  it('changes the password: checks the current one, applies the policy, bumps the credential version', async () => {
    const user = await identity.signup({ email: 'change@example.com', password: PASSWORD });
    await expect(identity.changePassword({ userId: user.id, currentPassword: 'not-it-at-all', newPassword: 'fresh-kiwi-pass-7', ip: '192.0.2.1' })).rejects.toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
    await expect(identity.changePassword({ userId: user.id, currentPassword: PASSWORD, newPassword: 'qwerty123', ip: '192.0.2.1' })).rejects.toMatchObject({ code: 'GH_AUTH_PASSWORD_COMMON' });
    const changed = await identity.changePassword({ userId: user.id, currentPassword: PASSWORD, newPassword: 'fresh-kiwi-pass-7', ip: '192.0.2.1' });
    expect(changed.credentialVersion).toBe(2);
    await expect(identity.authenticate({ email: 'change@example.com', password: PASSWORD, ip: '192.0.2.4' })).rejects.toMatchObject({ code: 'GH_AUTH_INVALID_CREDENTIALS' });
    await expect(identity.authenticate({ email: 'change@example.com', password: 'fresh-kiwi-pass-7', ip: '192.0.2.4' })).resolves.toMatchObject({ credentialVersion: 2 });
    expect((await identity.bumpCredentialVersion(user.id)).credentialVersion).toBe(3);
    await expect(identity.bumpCredentialVersion('no-such-user')).rejects.toMatchObject({ code: 'GH_AUTH_USER_NOT_FOUND' });
  });

  it('sets roles', async () => {
    const user = await identity.signup({ email: 'roles@example.com', password: PASSWORD });
    expect((await identity.setRoles(user.id, ['user', 'admin', 'admin'])).roles).toEqual(['user', 'admin']);
    expect((await identity.getUser(user.id))!.roles).toEqual(['user', 'admin']);
    await expect(identity.setRoles(user.id, ['x'.repeat(40)])).rejects.toMatchObject({ code: 'GH_AUTH_ROLE_INVALID' });
  });

  it('keeps an audit log: per user, newest first, paged by time', async () => {
    const user = await identity.signup({ email: 'audit@example.com', password: PASSWORD });
    const other = await identity.signup({ email: 'audit2@example.com', password: PASSWORD });
    await identity.audit.record({ type: 'signup', userId: user.id, ip: '198.51.100.7' });
    clock.advance(1000);
    await identity.audit.record({ type: 'login.success', userId: user.id, ip: '198.51.100.7', userAgent: 'UA/1', data: { mode: 'session' } });
    await identity.audit.record({ type: 'login.success', userId: other.id });
    clock.advance(1000);
    await identity.audit.record({ type: 'login.failure', userId: null, ip: '198.51.100.8', data: { mode: 'cookie' } });
    clock.advance(1000);
    await identity.audit.record({ type: 'logout', userId: user.id, ip: '198.51.100.7', userAgent: 'x'.repeat(2000), data: { mode: 'session' } });
    const events = await identity.audit.list({ userId: user.id });
    expect(events.map((e) => e.type)).toEqual(['logout', 'login.success', 'signup']);
    expect(events[0]).toMatchObject({ userId: user.id, ip: '198.51.100.7', data: { mode: 'session' } });
    expect(events[0]!.userAgent).toHaveLength(512);
    expect(events[1]).toMatchObject({ userAgent: 'UA/1', at: events[2]!.at + 1000, data: { mode: 'session' } });
    const older = await identity.audit.list({ userId: user.id, before: events[0]!.at, limit: 1 });
    expect(older.map((e) => e.type)).toEqual(['login.success']);
    const all = await identity.audit.list({ before: events[0]!.at + 1, limit: 3 });
    expect(all.map((e) => e.type)).toEqual(['logout', 'login.failure', 'login.success']);
    expect(all[1]!.userId).toBeNull();
  });
});
