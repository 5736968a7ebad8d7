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

  it('joins an existing account automatically only when the provider verified the email', async () => {
    const owner = await identity.signup({ email: 'gina@example.com', password: 'gina password 123' });
    const unverified = { provider: 'google', subject: 'g-1', email: 'gina@example.com', emailVerified: false, name: null };
    await expect(resolveAccount(deps(), unverified, null)).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_REQUIRED' });
    const verified = await resolveAccount(deps(), { ...unverified, emailVerified: true }, null);
    expect(verified).toMatchObject({ created: false, linked: true });
    expect(verified.user.id).toBe(owner.id);
    // From now on the link decides, whatever the email says.
    const next = await resolveAccount(deps(), { ...unverified, email: 'changed@example.com' }, null);
    expect(next).toMatchObject({ created: false, linked: false });
    expect(next.user.id).toBe(owner.id);
  });

  it('creates an account for an unknown email and refuses one without email', async () => {
    const fresh = await resolveAccount(deps(), { provider: 'github', subject: '42', email: 'hank@example.com', emailVerified: false, name: 'Hank' }, null);
    expect(fresh).toMatchObject({ created: true, linked: true });
    expect(fresh.user.email).toBe('hank@example.com');
    await expect(resolveAccount(deps(), { provider: 'naver', subject: 'n-1', email: null, emailVerified: false, name: null }, null)).rejects.toMatchObject({
      code: 'GH_OAUTH_FEDERATION_NO_EMAIL',
    });
  });

  it('links explicitly for a signed-in user, and never moves a link to someone else', async () => {
    const ivy = await identity.signup({ email: 'ivy@example.com', password: 'ivy password 1234' });
    const jay = await identity.signup({ email: 'jay@example.com', password: 'jay password 1234' });
    const external = { provider: 'kakao', subject: 'k-9', email: null, emailVerified: false, name: null };
    expect((await resolveAccount(deps(), external, ivy.id)).user.id).toBe(ivy.id);
    await expect(resolveAccount(deps(), external, jay.id)).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_TAKEN' });
    expect((await links.list(ivy.id)).map((l) => l.provider)).toEqual(['kakao']);
    const [link] = await links.list(ivy.id);
    await expect(links.remove(jay.id, link!.id)).rejects.toMatchObject({ code: 'GH_OAUTH_LINK_NOT_FOUND' });
    await links.remove(ivy.id, link!.id);
    expect(await links.list(ivy.id)).toEqual([]);
  });
});
