import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, silentLogger } from '../core/index.js';
import { createIdentity, type Identity } from '../identity/index.js';
import { createSqlKeyValueStore } from '../storage/index.js';
import { createTestDatabase } from '../../test/support/services.js';
import { resolveAccount } from './accounts.js';
import { createLinkStore, type LinkStore } from './links.js';

describe('account linking rule', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let identity: Identity;
  let links: LinkStore;
  const clock = createManualClock();
  const deps = () => ({ identity, links, ids: cryptoIds });

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const { config } = loadConfig({ passwords: { memoryCostKiB: 1024, timeCost: 1 } });
    identity = createIdentity({ db: db.db, kv: createSqlKeyValueStore(db.db, clock), clock, ids: cryptoIds, config, logger: silentLogger() });
    links = createLinkStore({ db: db.db, clock, ids: cryptoIds });
  });
  afterAll(() => db.dispose());

  const signIn = { linkToUserId: null, providerTrustedForEmail: false };
  const trusted = { linkToUserId: null, providerTrustedForEmail: true };

  it('never joins an existing account on the email alone; only a trusted provider and a verified local address together', async () => {
    const owner = await identity.signup({ email: 'gina@example.com', password: 'gina password 123' });
    const asserted = { provider: 'google', subject: 'g-1', email: 'gina@example.com', emailVerified: true, name: null };
    // Verified by the provider, but the operator does not trust it for email: refused.
    await expect(resolveAccount(deps(), asserted, signIn)).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_REQUIRED' });
    // Trusted provider, but the local address was never proven (it could be an attacker's sign-up): refused.
    await expect(resolveAccount(deps(), asserted, trusted)).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_REQUIRED' });
    // Trusted provider that does not assert the address verified: refused.
    await expect(resolveAccount(deps(), { ...asserted, emailVerified: false }, trusted)).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_REQUIRED' });
    expect(await links.list(owner.id)).toEqual([]);
  });

  it('joins when the provider is trusted for email and both sides proved the address; then the link decides', async () => {
    const owner = await identity.signup({ email: 'gail@example.com', password: 'gail password 123', emailVerifiedVia: 'admin' });
    expect(owner.emailVerifiedVia).toBe('admin');
    const asserted = { provider: 'google', subject: 'g-2', email: 'gail@example.com', emailVerified: true, name: null };
    const joined = await resolveAccount(deps(), asserted, trusted);
    expect(joined).toMatchObject({ created: false, linked: true });
    expect(joined.user.id).toBe(owner.id);
    const next = await resolveAccount(deps(), { ...asserted, email: 'changed@example.com', emailVerified: false }, signIn);
    expect(next).toMatchObject({ created: false, linked: false });
    expect(next.user.id).toBe(owner.id);
  });

  it('creates an account for an unknown email and refuses one without email', async () => {
    const fresh = await resolveAccount(deps(), { provider: 'github', subject: '42', email: 'hank@example.com', emailVerified: false, name: 'Hank' }, signIn);
    expect(fresh).toMatchObject({ created: true, linked: true });
    expect(fresh.user).toMatchObject({ email: 'hank@example.com', emailVerifiedAt: null, emailVerifiedVia: null });
    // A verified email from a provider trusted for email: the new account starts verified, and says by whom.
    const vouched = await resolveAccount(deps(), { provider: 'google', subject: 'g-42', email: 'hope@example.com', emailVerified: true, name: null }, trusted);
    expect(vouched.user).toMatchObject({ emailVerifiedVia: 'provider:google' });
    expect(vouched.user.emailVerifiedAt).toEqual(expect.any(Number));
    // The same claim from a provider not trusted for email proves nothing.
    const unvouched = await resolveAccount(deps(), { provider: 'corp', subject: 'c-42', email: 'hugo@example.com', emailVerified: true, name: null }, signIn);
    expect(unvouched.user).toMatchObject({ emailVerifiedAt: null, emailVerifiedVia: null });
    await expect(resolveAccount(deps(), { provider: 'naver', subject: 'n-1', email: null, emailVerified: false, name: null }, signIn)).rejects.toMatchObject({
      code: 'GH_OAUTH_FEDERATION_NO_EMAIL',
    });
  });

  it('links explicitly for a signed-in user, and never moves a link to someone else', async () => {
    const ivy = await identity.signup({ email: 'ivy@example.com', password: 'ivy password 1234' });
    const jay = await identity.signup({ email: 'jay@example.com', password: 'jay password 1234' });
    const external = { provider: 'kakao', subject: 'k-9', email: null, emailVerified: false, name: null };
    expect((await resolveAccount(deps(), external, { linkToUserId: ivy.id, providerTrustedForEmail: false })).user.id).toBe(ivy.id);
    await expect(resolveAccount(deps(), external, { linkToUserId: jay.id, providerTrustedForEmail: false })).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_TAKEN' });
    expect((await links.list(ivy.id)).map((l) => l.provider)).toEqual(['kakao']);
    const [link] = await links.list(ivy.id);
    await expect(links.remove(jay.id, link!.id)).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_NOT_FOUND' });
    await links.remove(ivy.id, link!.id);
    expect(await links.list(ivy.id)).toEqual([]);
  });
});
