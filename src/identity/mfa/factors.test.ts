import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, isGatehouseError, loadConfig, silentLogger } from '../../core/index.js';
import { createMemoryKeyValueStore } from '../../storage/index.js';
import { createTestDatabase, type TestDialect } from '../../../test/support/services.js';
import { createIdentity, type Identity, type User } from '../index.js';
import { totpCode } from './totp.js';

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return isGatehouseError(error) ? error.code : String(error);
  }
};

describe.each<TestDialect>(['sqlite', 'postgres'])('second factors on %s', (dialect) => {
  const clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 5));
  const { config } = loadConfig({ passwords: { memoryCostKiB: 1024, timeCost: 1 } });
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let identity: Identity;
  let n = 0;
  const newUser = () => identity.signup({ email: `mfa-${dialect}-${++n}@example.com`, password: 'tangerine-otter-42' });
  const enrol = async (user: User) => {
    const { secret } = await identity.factors.startTotp(user, 'gatehouse');
    const { recoveryCodes } = await identity.factors.confirmTotp({ user, code: totpCode(secret, clock.now()), ip: '198.51.100.1' });
    return { secret, recoveryCodes };
  };

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    identity = createIdentity({ db: handle.db, kv: createMemoryKeyValueStore(clock), clock, ids: cryptoIds, config, logger: silentLogger() });
  });
  afterAll(() => handle.dispose());

  it('is off until the first code confirms the secret', async () => {
    const user = await newUser();
    const { secret, uri } = await identity.factors.startTotp(user, 'gatehouse');
    expect(uri).toContain(secret);
    expect(await identity.factors.status(user.id)).toEqual({ totp: false, totpPending: true, recoveryCodesLeft: 0, passkeys: 0 });
    expect(await identity.factors.enrolled(user.id)).toBe(false);
    expect(await code(identity.factors.confirmTotp({ user, code: '000000', ip: '198.51.100.1' }))).toBe('GH_MFA_CODE_INVALID');
    const { recoveryCodes } = await identity.factors.confirmTotp({ user, code: totpCode(secret, clock.now()), ip: '198.51.100.1' });
    expect(recoveryCodes).toHaveLength(10);
    expect(await identity.factors.status(user.id)).toEqual({ totp: true, totpPending: false, recoveryCodesLeft: 10, passkeys: 0 });
    expect(await code(identity.factors.startTotp(user, 'gatehouse'))).toBe('GH_MFA_ALREADY_ENROLLED');
  });

  it('keeps only hashes of the recovery codes', async () => {
    const user = await newUser();
    const { recoveryCodes } = await enrol(user);
    const rows = await handle.db.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(10);
    const stored = rows.map((r) => r.code_hash).join('\n');
    for (const c of recoveryCodes) expect(stored).not.toContain(c.replace('-', ''));
  });

  it('refuses a TOTP code replayed, even from another step of the window, and takes the next step', async () => {
    const user = await newUser();
    const { secret } = await enrol(user);
    // The enrolment's code used this step: the same code is a replay.
    expect(await code(identity.factors.verify({ user, code: totpCode(secret, clock.now()), ip: '198.51.100.1' }))).toBe('GH_MFA_CODE_INVALID');
    clock.advance(30_000);
    const next = totpCode(secret, clock.now());
    expect(await identity.factors.verify({ user, code: next, ip: '198.51.100.1' })).toBe('otp');
    expect(await code(identity.factors.verify({ user, code: next, ip: '198.51.100.2' }))).toBe('GH_MFA_CODE_INVALID');
    // The previous step's code is still inside the window, but older than the last one used.
    expect(await code(identity.factors.verify({ user, code: totpCode(secret, clock.now() - 30_000), ip: '198.51.100.1' }))).toBe('GH_MFA_CODE_INVALID');
  });

  it('accepts two concurrent copies of one code once', async () => {
    const user = await newUser();
    const { secret } = await enrol(user);
    clock.advance(30_000);
    const c = totpCode(secret, clock.now());
    const results = await Promise.all([1, 2, 3].map((i) => code(identity.factors.verify({ user, code: c, ip: `198.51.100.${i}` }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
  });

  it('takes each recovery code once, and a new set voids the old one', async () => {
    const user = await newUser();
    const { recoveryCodes } = await enrol(user);
    expect(await identity.factors.verify({ user, code: recoveryCodes[0]!.toLowerCase(), ip: '198.51.100.1' })).toBe('recovery');
    expect(await code(identity.factors.verify({ user, code: recoveryCodes[0]!, ip: '198.51.100.1' }))).toBe('GH_MFA_CODE_INVALID');
    expect((await identity.factors.status(user.id)).recoveryCodesLeft).toBe(9);
    const fresh = await identity.factors.regenerateRecoveryCodes(user.id);
    expect(await code(identity.factors.verify({ user, code: recoveryCodes[1]!, ip: '198.51.100.1' }))).toBe('GH_MFA_CODE_INVALID');
    expect(await identity.factors.verify({ user, code: fresh[1]!, ip: '198.51.100.1' })).toBe('recovery');
  });

  it('throttles wrong codes like passwords, under their own kind', async () => {
    const user = await newUser();
    await enrol(user);
    const results: string[] = [];
    for (let i = 0; i < config.throttle.accountFreeAttempts + 2; i++) results.push(await code(identity.factors.verify({ user, code: '000000', ip: '203.0.113.9' })));
    expect(results).toContain('GH_AUTH_THROTTLED');
    // The password's own counter is untouched: the owner can still sign in with it.
    expect((await identity.authenticate({ email: user.email, password: 'tangerine-otter-42', ip: '203.0.113.10' })).id).toBe(user.id);
  });

  it('removes every factor', async () => {
    const user = await newUser();
    await enrol(user);
    await identity.factors.removeAll(user.id);
    expect(await identity.factors.status(user.id)).toEqual({ totp: false, totpPending: false, recoveryCodesLeft: 0, passkeys: 0 });
  });
});
